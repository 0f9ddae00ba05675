import FloatIPCore

/// Why an announcement (gratuitous ARP, unsolicited NA) could not be sent; each case names the
/// interface and, where there is one, the address.
public enum AnnounceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No interface of that name in the namespace the sockets were opened in.
    case noSuchInterface(String)
    /// An interface name longer than the kernel's 15 bytes.
    case interfaceNameTooLong(String)
    /// The interface has no Ethernet address (loopback, tun, …): ARP and NA cannot announce on it.
    case notEthernet(String)
    /// Opening the socket was refused; `action` says what needed it (`sending gratuitous ARP`).
    case needsPermission(action: String)
    /// IPv6 is not available in the namespace, so no neighbour advertisement can be sent.
    case ipv6Unavailable(interface: String, address: IPAddress)
    /// The settings cannot be used; the text names the field.
    case invalidSettings(String)
    /// A system call failed; `what` says what was being done (`gratuitous ARP for 198.18.0.100 on eth0`).
    case failed(what: String, SystemError)

    public var description: String {
        switch self {
        case .noSuchInterface(let name):
            return "interface \(name) does not exist in this namespace"
        case .interfaceNameTooLong(let name):
            return "interface name \(name) is longer than 15 bytes"
        case .notEthernet(let name):
            return "interface \(name) has no Ethernet address: gratuitous ARP and NA need an Ethernet interface"
        case .needsPermission(let action):
            return "\(action) needs CAP_NET_RAW: run as root"
        case .ipv6Unavailable(let interface, let address):
            return "cannot announce \(address) on \(interface): IPv6 is not available in this namespace"
        case .invalidSettings(let text):
            return "invalid announce settings: \(text)"
        case .failed(let what, let error):
            return "\(what): \(error)"
        }
    }
}
