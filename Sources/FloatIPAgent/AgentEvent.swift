import FloatIPCore

/// What the agent reports as it runs: for its log, the event log and tests.
public enum AgentEvent: Sendable, Equatable, CustomStringConvertible {
    /// A group's role or reason changed on this node.
    case transition(Transition)
    /// A mover operation finished: `claim`, `release` or `announce` of a group, how long it took,
    /// and the error if it failed.
    case mover(group: String, operation: String, epoch: UInt64, took: Duration, error: String?)

    public var description: String {
        switch self {
        case .transition(let t):
            t.from == t.to ? "\(t.group): \(t.to): \(t.reason)" : "\(t.group): \(t.from) → \(t.to): \(t.reason)"
        case .mover(let group, let operation, let epoch, let took, let error):
            "\(group): \(operation) (term \(epoch)) " + (error.map { "failed after \(took.shortDescription): \($0)" }
                ?? "done in \(took.shortDescription)")
        }
    }
}
