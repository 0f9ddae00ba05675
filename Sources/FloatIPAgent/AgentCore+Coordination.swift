import FloatIPCore

extension AgentCore {
    /// The coordination backend says this node may not hold `group` (`reason`: an etcd lease was
    /// lost and the addresses removed), or no longer says so (nil). The group is in fault meanwhile,
    /// whatever the checks say, through the same path as a failing required check.
    public func setCoordinationFault(group: String, reason: String?) async {
        guard let groupConfig = config.groups.first(where: { $0.name == group }) else { return }
        coordinationFaults[group] = reason
        let base = checkConditions[group] ?? LocalCondition(priority: groupConfig.priority)
        machine.setCondition(withCoordinationFault(base, group: group), group: group)
        tick()
    }

    /// The coordination backend says `group` is free again (the etcd key another node held when
    /// this node's claim failed is gone): try the claim now instead of waiting out the backoff.
    public func retryClaim(group: String) async {
        guard running, machine.claimMayRetry(group: group) else { return }
        tick()
    }

    /// `condition` with the group's coordination fault, if any, added.
    func withCoordinationFault(_ condition: LocalCondition, group: String) -> LocalCondition {
        guard let fault = coordinationFaults[group] else { return condition }
        var faulted = condition
        faulted.healthy = false
        faulted.faultReason = [condition.faultReason, fault].compactMap { $0 }.joined(separator: "; ")
        return faulted
    }
}
