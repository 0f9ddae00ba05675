import FloatIPCore

extension Simulation {
    /// Applies one planned fault (or its recovery) to the world and the affected node.
    mutating func apply(_ fault: SimulationPlan.Fault) {
        stats.faults += 1
        timeline.append(TimelineEntry(at: now, node: nil, kind: .fault, text: fault.description))
        switch fault {
        case .loss(let p):
            // Loss alone cannot leave a group unheld, so it is not a disturbance for invariant (b).
            loss = p
            return
        case .stall(let node):
            guard nodes[node].isUp, nodes[node].stalledSince == nil else { return }
            nodes[node].stalledSince = now
            if bgpMode { bgpStalled(node) }
        case .resume(let node):
            guard let since = nodes[node].stalledSince else { return }
            nodes[node].stalledSince = nil
            checker.resumed(node: nodes[node], stalledSince: since, now: now)
            if bgpMode { bgpResumed(node) }
            // A resumed process finds everything that arrived meanwhile at once, in order.
            for event in nodes[node].waiting { queue.schedule(event, at: now) }
            nodes[node].waiting = []
        case .crash(let node):
            // kill -9 ends a stall too; what waited for the agent dies with it.
            nodes[node].stalledSince = nil
            nodes[node].waiting = []
            nodes[node].machine = nil
            nodes[node].wakeGeneration += 1
            nodes[node].pendingClaim = nodes[node].pendingClaim.map { _ in nil }
            if etcdMode {
                // The agent is killed (kill -9): its etcd calls die with it; addresses stay until
                // their kernel lifetime ends.
                nodes[node].fenced = nodes[node].fenced.map { _ in SimFencedMover() }
            } else {
                // Host death: the agent stops and the server with its addresses is gone.
                if bgpMode { bgpCrashed(node) }
                nodes[node].holds = nodes[node].holds.map { _ in false }
            }
        case .restart(let node):
            bootNode(node)
        case .partition(let side):
            partition = Set(side)
        case .isolateAll:
            isolated = true
        case .heal:
            partition = nil
            isolated = false
        case .checkFails(let node, let group):
            nodes[node].healthy[group] = false
            refreshCondition(node, group)
        case .checkRecovers(let node, let group):
            nodes[node].healthy[group] = true
            refreshCondition(node, group)
        case .priorityDrop(let node, let group, let by):
            nodes[node].priorityDrop[group] = by
            refreshCondition(node, group)
        case .priorityRestore(let node, let group):
            nodes[node].priorityDrop[group] = 0
            refreshCondition(node, group)
        case .maintenance(let node, let on):
            nodes[node].maintenance = on
            updateMachine(node) { machine in machine.setMaintenance(on) }
        case .switchover(let group, let target):
            switchover(group: group, target: target)
        case .failNextClaim(let node):
            nodes[node].failNextClaim = true
            return
        case .checkResults(let node, let group, let pattern, let every):
            startCheckStream(node: node, group: group, pattern: pattern, every: every)
            return
        case .etcdCut, .etcdRestore, .etcdDown, .etcdUp, .etcdSlow:
            _ = applyEtcdFault(fault)
        }
        checker.disturbed(at: now)
    }

    mutating func refreshCondition(_ node: Int, _ group: Int) {
        let condition = nodes[node].condition(group)
        let name = nodes[node].config.groups[group].name
        updateMachine(node) { machine in machine.setCondition(condition, group: name) }
    }

    /// Changes a running node's inputs and lets it react at once, as the agent does.
    private mutating func updateMachine(_ node: Int, _ change: (inout NodeMachine) -> Void) {
        guard var machine = nodes[node].machine else { return }
        change(&machine)
        nodes[node].machine = machine
        // A stalled agent takes the change in when it resumes (its waiting tick).
        if nodes[node].stalledSince == nil { performTick(node) }
    }

    /// The operator asks the node that holds the group to hand it over.
    private mutating func switchover(group: Int, target: Int?) {
        let groupName = plan.groupNames[group]
        guard let holder = nodes.firstIndex(where: { $0.isUp && $0.holds[group] && $0.stalledSince == nil }),
            var machine = nodes[holder].machine
        else {
            timeline.append(TimelineEntry(at: now, node: nil, kind: .fault, text: "switchover refused: nobody holds \(groupName)"))
            return
        }
        let targetName = target.map { nodes[$0].name }
        do {
            let (chosen, output) = try machine.switchover(group: groupName, to: targetName, now: now)
            nodes[holder].machine = machine
            timeline.append(
                TimelineEntry(at: now, node: nodes[holder].name, kind: .fault, text: "\(groupName): switchover to \(chosen) started"))
            carry(output, from: holder)
        } catch {
            timeline.append(
                TimelineEntry(at: now, node: nodes[holder].name, kind: .fault, text: "\(groupName): switchover refused: \(error)"))
        }
    }
}
