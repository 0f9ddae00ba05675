import FloatIPCore

/// Why a ping could not be sent (a ping that is not answered is not an error: it returns nil).
public enum PingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither an unprivileged ping socket nor a raw socket may be opened.
    case needsPermission
    /// The target is IPv6 and IPv6 is not available in the pinger's namespace.
    case ipv6Unavailable(IPAddress)
    /// A system call failed; `what` names the step and the address (`ping 198.18.0.5`).
    case failed(what: String, SystemError)

    public var description: String {
        switch self {
        case .needsPermission:
            return "ICMP echo needs CAP_NET_RAW (run as root) or a group inside net.ipv4.ping_group_range"
        case .ipv6Unavailable(let address):
            return "cannot ping \(address): IPv6 is not available in this namespace"
        case .failed(let what, let error):
            return "\(what): \(error)"
        }
    }
}
