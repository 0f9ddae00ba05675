import FloatIPCore

/// `mode: anycast` groups (a `bgp` mover's option): no holder is elected; every node announces
/// while it is healthy and not in maintenance, and withdraws when a required check fails, when an
/// operator puts it in maintenance, and when it stops (docs/bgp.md, "Anycast").
extension AgentCore {
    /// Whether `group` is anycast on this agent.
    func isAnycast(_ group: String) -> Bool { anycastGroups[group] != nil }

    /// The checks' condition, or maintenance, changed for an anycast group: announce or withdraw.
    func applyAnycast(group: String) {
        guard var entry = anycastGroups[group] else { return }
        let (role, reason) = suspension(of: group) ?? (.holder, "anycast: healthy, announcing beside every other healthy node")
        let announce = role == .holder
        let was = entry.role == .holder
        if entry.role != role || entry.reason != reason {
            report(Transition(group: group, from: entry.role, to: role, reason: reason, at: clock.now()))
            entry.role = role
            entry.reason = reason
        }
        if announce != was { move(group, &entry, claim: announce) }
        anycastGroups[group] = entry
    }

    /// Withdraws every anycast group this node announces (a stop), through the groups' queues.
    func stopAnycast() {
        for (group, var entry) in anycastGroups where entry.role == .holder {
            move(group, &entry, claim: false)
            anycastGroups[group] = entry
        }
    }

    private func move(_ group: String, _ entry: inout AnycastGroupState, claim: Bool) {
        guard let config = config.groups.first(where: { $0.name == group }), let mover = movers[group], let queue = queues[group]
        else { return }
        if claim { entry.epoch += 1 }
        let epoch = entry.epoch
        enqueueMove(on: queue, group: group, claim ? "claim" : "release", epoch: epoch) {
            if claim { try await mover.claim(config, epoch: epoch) } else { try await mover.release(config, epoch: epoch) }
        }
    }
}
