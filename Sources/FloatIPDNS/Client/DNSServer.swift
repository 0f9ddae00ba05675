import FloatIPCore

/// An authoritative server to send updates and queries to: an IP address and a port.
public struct DNSServer: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }

    /// `127.0.0.1:5353`, `[::1]:5353`.
    public var description: String { address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)" }

    /// Parses `ADDRESS`, `ADDRESS:PORT` or `[IPV6]:PORT` (port 53 when absent); nil if it is none of them.
    public init?(_ text: some StringProtocol) {
        let text = String(text).trimmingSpaces
        if let address = IPAddress(text) {
            self.init(address: address)
            return
        }
        guard let (address, port) = APIConfig.parseListen(text), port != 0 else { return nil }
        self.init(address: address, port: port)
    }

    /// Parses a comma-separated list, in the order to try them; nil names the first bad entry.
    public static func list(_ text: String) -> Result<[DNSServer], DNSServerListError> {
        var servers: [DNSServer] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let server = DNSServer(part) else { return .failure(DNSServerListError(entry: String(part).trimmingSpaces)) }
            servers.append(server)
        }
        return .success(servers)
    }
}

/// An entry of a server list that is not `ADDRESS[:PORT]`.
public struct DNSServerListError: Error, Sendable, Equatable, CustomStringConvertible {
    public var entry: String
    public var description: String {
        "`\(entry)` is not a server address; write IP[:PORT] (e.g. `192.0.2.53`, `127.0.0.1:5353`, `[2001:db8::53]:53`), "
            + "several separated by commas"
    }
}
