import FloatIPCore

extension VRRPSimulation {
    /// Applies one planned fault (or its recovery) to the world and the affected node.
    mutating func apply(_ fault: VRRPFault) {
        stats.faults += 1
        timeline.append(TimelineEntry(at: now, node: nil, kind: .fault, text: fault.description))
        checker.disturbed(at: now)
        switch fault {
        case .crash(let node):
            down(node)
            nodes[node].holds = false
        case .restart(let node):
            boot(node)
        case .stop(let node):
            // As the agent's shutdown (`stopVRRP`) or keepalived's SIGTERM: priority 0, release, exit.
            // systemd follows SIGTERM with SIGCONT: a stalled process stops too.
            nodes[node].stalledSince = nil
            guard var router = nodes[node].router else { return }
            if router.isMaster { checker.masterLeft(at: now) }
            let actions = router.stop()
            nodes[node].router = router
            carryOut(actions, from: node)
            down(node)
        case .partition(let side):
            partition = Set(side)
        case .heal:
            partition = nil
        case .loss(let p):
            loss = p
        case .checkFails(let node):
            nodes[node].healthy = false
            changed(node)
        case .checkRecovers(let node):
            nodes[node].healthy = true
            changed(node)
        case .priorityDrop(let node, let by):
            nodes[node].weight = -by
            changed(node)
        case .priorityRestore(let node):
            nodes[node].weight = 0
            changed(node)
        case .maintenance(let node, let on):
            nodes[node].maintenance = on
            changed(node)
        case .stall(let node):
            guard nodes[node].isUp, nodes[node].stalledSince == nil else { return }
            nodes[node].stalledSince = now
        case .resume(let node):
            guard nodes[node].stalledSince != nil else { return }
            nodes[node].stalledSince = nil
            // A resumed process finds everything that arrived meanwhile at once: it reads the
            // datagrams in order, then looks at its timers (as the speaker's loop does), and takes
            // its changed inputs in on the way.
            let waiting = nodes[node].waiting
            nodes[node].waiting = []
            for event in waiting { if case .deliver = event { queue.schedule(event, at: now) } }
            for event in waiting { if case .claimDone = event { queue.schedule(event, at: now) } }
            queue.schedule(.wake(node: node, generation: nodes[node].wakeGeneration), at: now)
        }
        for index in nodes.indices where !nodes[index].eligible { nodes[index].eligibleSince = nil }
    }

    /// The node's wanted state changed: a running process reacts at once (a stalled one on resume).
    private mutating func changed(_ node: Int) {
        if nodes[node].stalledSince == nil { drive(node) }
    }

    /// The process is gone: what waited for it dies with it; the addresses stay unless the host died.
    private mutating func down(_ node: Int) {
        nodes[node].router = nil
        nodes[node].stalledSince = nil
        nodes[node].waiting = []
        nodes[node].wakeGeneration += 1
        nodes[node].pendingClaim = nil
    }
}
