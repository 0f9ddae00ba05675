import FloatIPCore

/// The TCP listener's defence against DNS rebinding: a browser tricked into sending requests to
/// the agent names the attacker's domain in `Host`, so only requests addressed to the agent by
/// its IP address, or by `localhost` on loopback, are answered.
public struct HostCheck: Sendable {
    /// `api.listen`'s address (may be a wildcard such as 0.0.0.0).
    public var listenAddress: IPAddress
    /// The port the listener is bound to.
    public var port: Int

    public init(listenAddress: IPAddress, port: Int) {
        self.listenAddress = listenAddress
        self.port = port
    }

    /// Why a request with `Host: authority` that arrived on local address `arrivedOn` (nil when
    /// unknown) is refused, or nil when it is answered. No `Host` at all (HTTP/1.0) is answered.
    public func refusal(authority: String?, arrivedOn: IPAddress?) -> String? {
        guard let authority, !authority.isEmpty else { return nil }
        guard let (host, requestPort) = Self.split(authority) else {
            return "Host `\(authority)` cannot be read as HOST[:PORT]"
        }
        let expected = listenAddress.isIPv4 ? "\(listenAddress):\(port)" : "[\(listenAddress)]:\(port)"
        let why = "Host `\(authority)` does not name this API (\(expected)); requests must address the agent by "
            + "its IP address or as localhost (a domain name is refused against DNS rebinding)"
        // The name is what DNS rebinding cannot fake; the port is not judged (an SSH tunnel or a
        // proxy forwards another port to this one, and an IP literal is no rebinding on any port).
        _ = requestPort
        let arrived = arrivedOn.map(Self.unmapped)
        if host.lowercased() == "localhost" {
            return Self.isLoopback(arrived ?? listenAddress) ? nil : why
        }
        guard let address = IPAddress(host).map(Self.unmapped) else { return why }
        if address == Self.unmapped(listenAddress) || address == arrived { return nil }
        return why
    }

    /// `host:port`, `[v6]:port`, `host` or `[v6]` into host and port.
    static func split(_ authority: String) -> (host: String, port: Int?)? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
            return (host, port)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (authority, nil)
        case 2: return Int(parts[1]).map { (String(parts[0]), $0) }
        default: return nil
        }
    }

    /// An IPv4 address a dual-stack socket reports as `::ffff:a.b.c.d`, as IPv4; others unchanged.
    static func unmapped(_ address: IPAddress) -> IPAddress {
        if case .v6(let high, let low) = address, high == 0, low >> 32 == 0xffff {
            return .v4(UInt32(truncatingIfNeeded: low))
        }
        return address
    }

    static func isLoopback(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let bits): bits >> 24 == 127
        case .v6(let high, let low): high == 0 && low == 1
        }
    }
}
