import FloatIPCore

extension Simulation {
    /// Starts the simulated result stream of a node's check for a group, or gives a running one a
    /// new pattern (the check keeps its state and streak: it is the same check behaving differently).
    /// The first result comes at once.
    mutating func startCheckStream(node: Int, group: Int, pattern: [Bool], every: Duration) {
        let previous = nodes[node].checkStreams[group]
        let generation = (previous?.generation ?? 0) + 1
        guard !pattern.isEmpty, every > .zero else {
            nodes[node].checkStreams[group] = nil
            return
        }
        nodes[node].checkStreams[group] = SimCheckStream(
            pattern: pattern, every: every,
            hysteresis: previous?.hysteresis ?? Hysteresis(rise: plan.checkRise, fall: plan.checkFall),
            generation: generation)
        checkResult(node: node, group: group, generation: generation, step: 0)
    }

    /// One result of a stream: through the hysteresis; a change of its state changes the node's
    /// health for the group (as the agent's scheduler and `HealthSummary` do). Schedules the next one.
    mutating func checkResult(node: Int, group: Int, generation: Int, step: Int) {
        guard var stream = nodes[node].checkStreams[group], stream.generation == generation else { return }
        let passed = stream.pattern[step % stream.pattern.count]
        let before = stream.hysteresis.state
        let changed = stream.hysteresis.record(passed: passed)
        nodes[node].checkStreams[group] = stream
        queue.schedule(
            .checkResult(node: node, group: group, generation: generation, step: step + 1), at: now + stream.every)
        guard changed else { return }
        let after = stream.hysteresis.state
        timeline.append(
            TimelineEntry(at: now, node: nodes[node].name, kind: .fault,
                          text: "g\(group + 1): check \(before.rawValue) → \(after.rawValue)"))
        let healthy = after != .failing
        guard healthy != nodes[node].healthy[group] else { return }
        nodes[node].healthy[group] = healthy
        refreshCondition(node, group)
        checker.disturbed(at: now)
    }
}
