import NIOCore

/// A `host:port` target: `192.0.2.1:80`, `[2001:db8::1]:80` or `db.example:5432`.
struct HostPort: Sendable, Equatable, CustomStringConvertible {
    /// The host without brackets: an IP address or a name.
    var host: String
    var port: Int

    /// Why a `host:port` target cannot be used.
    struct ParseError: Error, Equatable, CustomStringConvertible {
        var target: String
        var reason: String
        var description: String { "target \"\(target)\": \(reason) (expected host:port or [IPv6]:port)" }
    }

    init(parsing target: String) throws(ParseError) {
        let hostPart: Substring
        let portPart: Substring
        if target.hasPrefix("[") {
            guard let close = target.firstIndex(of: "]") else {
                throw ParseError(target: target, reason: "no closing ] after the IPv6 address")
            }
            hostPart = target[target.index(after: target.startIndex)..<close]
            let rest = target[target.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ParseError(target: target, reason: "no :port after ]") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = target.lastIndex(of: ":") else {
                throw ParseError(target: target, reason: "no port")
            }
            hostPart = target[..<colon]
            portPart = target[target.index(after: colon)...]
            if hostPart.contains(":") {
                throw ParseError(target: target, reason: "an IPv6 address needs brackets")
            }
        }
        guard !hostPart.isEmpty else { throw ParseError(target: target, reason: "no host") }
        guard let port = Int(portPart), (1...65535).contains(port) else {
            throw ParseError(target: target, reason: "port \"\(portPart)\" is not a number from 1 to 65535")
        }
        host = String(hostPart)
        self.port = port
    }

    /// The socket address when the host is an IP address (nil for a name, which is resolved at each run).
    var literalAddress: SocketAddress? { try? SocketAddress(ipAddress: host, port: port) }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
