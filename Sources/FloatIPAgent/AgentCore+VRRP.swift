import FloatIPCore
import FloatIPLinux

/// `protocol: vrrp` groups: the speaker decides (VRRP's rules, on its own thread) and tells the agent
/// when this node becomes master or stops being it; the agent moves the addresses with the group's
/// mover, in order, and reports the role like any other group's. The checks and maintenance run or
/// suspend the speaker (docs/vrrp.md, "In the agent").
extension AgentCore {
    /// Hands the agent `group`'s speaker (made suspended) and the stream of its decisions: true when it
    /// became master (claim), false when it stopped being it (release), in the order it made them.
    public func attachVRRP(group: String, speaker: VRRPSpeaker, decisions: AsyncStream<Bool>) {
        vrrpGroups[group] = VRRPGroupState(speaker: speaker)
        Task { [weak self] in
            for await claimed in decisions { await self?.vrrpDecided(group: group, claimed: claimed) }
        }
    }

    /// Whether `group` speaks VRRP on this agent.
    func isVRRP(_ group: String) -> Bool { vrrpGroups[group] != nil }

    /// The speaker became master (claim) or stopped being it: moves the addresses, reports the role.
    func vrrpDecided(group: String, claimed: Bool) {
        guard var entry = vrrpGroups[group], let config = config.groups.first(where: { $0.name == group }),
            let mover = movers[group], let queue = queues[group]
        else { return }
        let view = entry.speaker.view
        if claimed {
            entry.epoch += 1
            setVRRPRole(group, &entry, .holder, "VRRP master (priority \(view.priority))")
        } else if let suspension = entry.suspension {
            setVRRPRole(group, &entry, suspension.role, suspension.reason)
        } else {
            setVRRPRole(group, &entry, .standby, Self.backupReason(view))
        }
        vrrpGroups[group] = entry
        let epoch = entry.epoch
        enqueueMove(on: queue, group: group, claimed ? "claim" : "release", epoch: epoch) {
            if claimed { try await mover.claim(config, epoch: epoch) } else { try await mover.release(config, epoch: epoch) }
        }
    }

    /// The checks' condition, or maintenance, changed for a VRRP group: a required check failing or
    /// maintenance suspends the router (a master advertises priority 0 and releases); otherwise it
    /// runs, advertising the configured priority plus the failing checks' weights.
    func applyVRRP(group: String) {
        guard var entry = vrrpGroups[group], let config = config.groups.first(where: { $0.name == group }) else { return }
        let weight = (checkConditions[group]?.priority ?? config.priority) - config.priority
        let suspension = suspension(of: group)
        entry.suspension = suspension
        if let suspension, entry.role != .holder {
            setVRRPRole(group, &entry, suspension.role, suspension.reason)
        } else if suspension == nil, entry.role != .holder, entry.role != .standby {
            setVRRPRole(group, &entry, .standby, "VRRP backup: listening for the master")
        }
        vrrpGroups[group] = entry
        entry.speaker.set(running: suspension == nil, weight: weight)
    }

    /// Why a group this agent runs beside the machine (VRRP, anycast) may not hold now: maintenance,
    /// a required check failing, or no check results yet; nil when it may.
    func suspension(of group: String) -> (role: Role, reason: String)? {
        let condition = checkConditions[group]
        if inMaintenance(group) { return (.maintenance, machine.maintenance ? "node in maintenance" : "group in maintenance") }
        if let condition, !condition.healthy { return (.fault, condition.faultReason ?? "a required check fails") }
        if condition == nil { return (.starting, "waiting for the checks' first results") }
        return nil
    }

    /// Whether an operator put the node, or `group`, in maintenance.
    func inMaintenance(_ group: String) -> Bool { machine.maintenance || machine.maintenanceGroups.contains(group) }

    /// Every VRRP group's speaker stops (a master advertises priority 0 and releases); returns once their
    /// threads have ended.
    func stopVRRP() {
        for entry in vrrpGroups.values { entry.speaker.stop() }
    }

    private func setVRRPRole(_ group: String, _ entry: inout VRRPGroupState, _ role: Role, _ reason: String) {
        guard entry.role != role || entry.reason != reason else { return }
        report(Transition(group: group, from: entry.role, to: role, reason: reason, at: clock.now()))
        entry.role = role
        entry.reason = reason
    }

    static func backupReason(_ view: (priority: UInt8, master: (address: IPAddress, priority: UInt8)?)) -> String {
        guard let master = view.master else { return "VRRP backup: listening for the master" }
        return "VRRP backup (priority \(view.priority)): master \(master.address) at priority \(master.priority)"
    }
}
