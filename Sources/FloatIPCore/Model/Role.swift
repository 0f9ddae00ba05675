/// What a node is doing for one group.
public enum Role: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Listening for peers after start; never claims in this role.
    case starting = 0
    /// Healthy and ready to take the group over.
    case standby = 1
    /// Holds the group's addresses.
    case holder = 2
    /// A required check fails (or the mover failed); gives the group away.
    case fault = 3
    /// Set by an operator; gives the group away and stays reachable on its own address.
    case maintenance = 4

    public var description: String {
        switch self {
        case .starting: "starting"
        case .standby: "standby"
        case .holder: "holder"
        case .fault: "fault"
        case .maintenance: "maintenance"
        }
    }
}
