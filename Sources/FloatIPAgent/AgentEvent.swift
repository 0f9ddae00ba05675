import FloatIPCore

/// What the agent reports as it runs: for its log, the event log and tests.
public enum AgentEvent: Sendable, Equatable, CustomStringConvertible {
    /// A group's role or reason changed on this node.
    case transition(Transition)
    /// A mover operation finished: `claim`, `release` or `announce` of a group, how long it took,
    /// and the error if it failed.
    case mover(group: String, operation: String, epoch: UInt64, took: Duration, error: String?)
    /// A peer was heard (authentically) from a boot older than one this node accepted from it: a
    /// replay, or the peer restarted with its state lost and its clock behind. Reported once per
    /// peer and boot id; its datagrams stay refused.
    case staleBoot(peer: String, bootID: UInt64, known: UInt64)
    /// The agent's loop ran this long after a heartbeat was due (the process was stopped, the VM
    /// paused, the machine starved): its view of the cluster is stale, and for one dead interval it
    /// listens before it asserts anything (docs/decision.md, rule 8).
    case stalled(Duration)
    /// A secret rotated out by a reload stopped being accepted: every peer speaks the new one, or its
    /// grace ran out (docs/operations.md, "Rotating the secret").
    case secretRotated(SecretRotation.End)

    public var description: String {
        switch self {
        case .transition(let t):
            t.from == t.to ? "\(t.group): \(t.to): \(t.reason)" : "\(t.group): \(t.from) → \(t.to): \(t.reason)"
        case .mover(let group, let operation, let epoch, let took, let error):
            "\(group): \(operation) (term \(epoch)) " + (error.map { "failed after \(took.shortDescription): \($0)" }
                ?? "done in \(took.shortDescription)")
        case .staleBoot(let peer, let bootID, let known):
            "peer \(peer): refusing its datagrams of boot \(bootID), older than its boot \(known) heard before: "
                + "a replay, or \(peer) restarted with its state directory lost and its clock behind; if \(peer) "
                + "is up, fix its clock and restart it, or remove boot-ids.* in this node's state directory and "
                + "restart this agent (docs/protocol.md)"
        case .stalled(let length):
            "this agent was stalled for \(length.shortDescription) (stopped, paused or starved): its view of the "
                + "cluster is stale; listening for a dead interval before asserting anything (docs/decision.md, rule 8)"
        case .secretRotated(.everyPeer):
            "secret rotation done: every peer signs with the new secret; the previous one is no longer accepted"
        case .secretRotated(.expired(let notHeard)):
            "secret rotation: the grace ran out; the previous secret is no longer accepted"
                + (notHeard.isEmpty ? "" : ", and \(notHeard.joined(separator: ", ")) never signed with the new one: "
                    + "its datagrams are refused (bad_auth) until it has the new secret")
        }
    }
}
