import FloatIPCore

extension SimulationPlan {
    /// A few lines describing the cluster and the network a seed drew, for the head of a timeline.
    public var summary: [String] {
        let t = timers
        var lines = [
            "seed \(seed): \(nodeNames.count) nodes, \(groupNames.count) group(s), \(duration.shortDescription) simulated",
            "timers: interval \(t.interval.shortDescription), dead after \(t.deadAfter) "
                + "(\(t.deadInterval.shortDescription)), preempt_delay \(t.preemptDelay.shortDescription), "
                + "handover_timeout \(t.handoverTimeout.shortDescription), quiet standbys "
                + (t.quietSpacing > 1 ? "every \(t.quietSpacing) intervals" : "off"),
            "network: loss \(Int(loss * 100)) %, delay \(baseDelay.shortDescription) + up to \(jitter.shortDescription), "
                + "duplicates \(Int(duplicateChance * 100)) %; \(faults.count) fault events",
        ]
        if let bgp {
            lines.append(
                "mover: bgp, router delay \(bgp.routerDelay.shortDescription), a silent peer dropped after "
                    + "\(bgp.detectionName), reconnect after \(bgp.reconnectBackoff.shortDescription)")
        }
        for (g, name) in groupNames.enumerated() {
            let priorities = configs.map { "\($0.node.name)=\($0.groups[g].priority)" }.joined(separator: " ")
            lines.append("\(name): priorities \(priorities), preempt \(configs[0].groups[g].preempt ? "on" : "off")")
        }
        return lines
    }
}
