/// What the decision engine asks the shell to do for one group.
public enum Intent: Sendable, Equatable, CustomStringConvertible {
    /// Configure the group's addresses here and announce them; report back with the epoch.
    case claim(epoch: UInt64)
    /// Remove the group's addresses from here (idempotent).
    case release(epoch: UInt64)
    /// Announce the held addresses again (gratuitous ARP / NA), e.g. after a split brain healed.
    case announce
    /// Tell the outside world (hooks, event log) that the role changed.
    case notify(from: Role, to: Role)

    public var description: String {
        switch self {
        case .claim(let epoch): "claim (term \(epoch))"
        case .release(let epoch): "release (term \(epoch))"
        case .announce: "announce"
        case .notify(let from, let to): "notify \(from) → \(to)"
        }
    }
}

/// The outcome of one evaluation of a group: the role, why, and what to do.
public struct GroupDecision: Sendable, Equatable {
    public var role: Role
    /// One line a person can read: `holder web1 silent for 312 ms (dead after 300 ms); I rank next`.
    public var reason: String
    public var intents: [Intent]

    public init(role: Role, reason: String, intents: [Intent]) {
        self.role = role
        self.reason = reason
        self.intents = intents
    }
}
