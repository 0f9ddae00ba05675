import FloatIPCore

// The agent's mover queue and `EtcdFencedMover.claim`/`release` with `EtcdElection.campaign`/`resign`,
// step by step in simulated time (Sources/FloatIPCoordination; docs/coordination.md).
extension Simulation {
    /// The engine asked for a claim or a release: it waits behind the operation running.
    mutating func enqueueMoverOp(_ node: Int, _ g: Int, _ kind: SimMoverOp.Kind) {
        nodes[node].fenced[g].waiting.append(SimMoverOp(id: etcd.nextID(), kind: kind))
        if nodes[node].fenced[g].running == nil {
            queue.schedule(.etcd(.runNext(node: node, boot: nodes[node].boots, group: g)), at: now)
        }
    }

    mutating func runNextOp(_ node: Int, _ g: Int) {
        guard nodes[node].fenced[g].running == nil, !nodes[node].fenced[g].waiting.isEmpty else { return }
        let op = nodes[node].fenced[g].waiting.removeFirst()
        nodes[node].fenced[g].running = op
        switch op.kind {
        case .claim: startClaim(node, g)
        case .release: startRelease(node, g)
        }
    }

    /// The running operation, if it is `op`.
    private func running(_ node: Int, _ g: Int, _ op: Int) -> SimMoverOp? {
        guard let running = nodes[node].fenced[g].running, running.id == op else { return nil }
        return running
    }

    /// The election machine of `node` for group `g`: the agent's rules, with the simulated key.
    func electionMachine(_ node: Int, _ g: Int) -> ElectionMachine {
        ElectionMachine(key: SimEtcdWorld.key(g), name: nodes[node].name, ttl: settings.ttl)
    }

    /// Passes an etcd request's reply to the machine that sent it.
    mutating func resume(_ call: SimEtcdCall, _ reply: ElectionReply) {
        let node = call.node
        let g = call.group
        guard nodes[node].isUp, nodes[node].boots == call.boot else { return }
        switch call.then {
        case .campaign(let op):
            guard var campaign = running(node, g, op)?.campaign else { return }
            let step = campaign.replied(reply, now: now)
            nodes[node].fenced[g].running?.campaign = campaign
            campaignStep(node, g, step)
        case .resign(let op):
            guard var resignation = running(node, g, op)?.resignation else { return }
            let next = resignation.replied(reply)
            nodes[node].fenced[g].running?.resignation = resignation
            resignStep(node, g, next)
        case .renew(let serial, let sent): renewAnswered(node, g, serial: serial, sent: sent, reply)
        case .poll(let serial): pollAnswered(node, g, serial: serial, reply)
        case .none: break
        }
    }

    // MARK: Claim

    /// `EtcdFencedMover.claim`: an existing tenure (by its deadline) is enough; otherwise campaign
    /// (with the patience the fenced mover gives it).
    private mutating func startClaim(_ node: Int, _ g: Int) {
        if let tenure = nodes[node].fenced[g].tenure {
            if tenure.machine.holds(at: now) { return innerClaim(node, g, won: tenure.epoch) }
            loseTenure(node, g, serial: tenure.serial, reason: "its local deadline passed")
        }
        var campaign = ElectionCampaign(machine: electionMachine(node, g), patience: settings.renewInterval, now: now)
        let step = campaign.begin(now: now)
        nodes[node].fenced[g].running?.campaign = campaign
        campaignStep(node, g, step)
    }

    /// Does what the campaign machine says: revokes, then sends, waits, or ends the campaign.
    private mutating func campaignStep(_ node: Int, _ g: Int, _ step: ElectionCampaign.Step) {
        for lease in step.revoke { revokeInBackground(lease, from: node, group: g) }
        guard let op = nodes[node].fenced[g].running?.id else { return }
        switch step.next {
        case .send(let request, let limit):
            etcdSend(request, from: node, group: g, limit: limit, then: .campaign(op: op))
        case .wait(let until):
            queue.schedule(.etcd(.campaignWake(node: node, boot: nodes[node].boots, group: g, op: op)), at: until)
        case .won(let tenure):
            nodes[node].fenced[g].running?.campaign = nil
            beginTenure(node, g, tenure)
            innerClaim(node, g, won: tenure.createRevision)
        case .failed(let failure):
            failClaim(node, g, failure.description)
        }
    }

    /// A patient campaign's wait is over.
    mutating func campaignWoke(_ node: Int, _ g: Int, op: Int) {
        guard var campaign = running(node, g, op)?.campaign else { return }
        let step = campaign.woke(now: now)
        nodes[node].fenced[g].running?.campaign = campaign
        campaignStep(node, g, step)
    }

    /// The gate: the tenure must still stand; the local mover is bounded by the lease, then claims.
    private mutating func innerClaim(_ node: Int, _ g: Int, won: Int64) {
        guard let tenure = nodes[node].fenced[g].tenure, tenure.epoch == won, tenure.machine.holds(at: now) else {
            return failClaim(node, g, "campaign for the key took longer than its ttl")
        }
        nodes[node].fenced[g].bound = tenure.machine.leaseEndsNoEarlier
        maintainAddresses(node, g)
        guard lifetimeSeconds(node, g) >= 1 else {
            return failClaim(node, g, "the lease bound is too near for an address lifetime")
        }
        nodes[node].fenced[g].running?.won = won
        nodes[node].fenced[g].innerClaiming = true
        let error = nodes[node].failNextClaim ? "simulated mover error" : nil
        nodes[node].failNextClaim = false
        let latency = Duration.nanoseconds(Int64.random(in: plan.moverLatency, using: &rng))
        let op = nodes[node].fenced[g].running?.id ?? 0
        queue.schedule(
            .etcd(.innerClaimDone(node: node, boot: nodes[node].boots, group: g, op: op, error: error)),
            at: now + latency)
    }

    mutating func innerClaimDone(_ node: Int, _ g: Int, op: Int, error: String?) {
        nodes[node].fenced[g].innerClaiming = false
        guard let running = running(node, g, op) else { return }
        if let error {
            checker.disturbed(at: now)
            nodes[node].moverFaultUntil[g] = now + max(.seconds(1), plan.timers.deadInterval)
            failClaim(node, g, error)
        } else {
            nodes[node].fenced[g].claimedEpoch = UInt64(running.won)
            placeAddresses(node, g, epoch: UInt64(running.won))
            finishClaim(node, g, error: nil)
        }
        // A tenure lost during the inner claim releases now that the gate is free.
        if let reason = nodes[node].fenced[g].lossWaiting {
            nodes[node].fenced[g].lossWaiting = nil
            lossRelease(node, g, reason: reason)
        }
    }

    private mutating func failClaim(_ node: Int, _ g: Int, _ error: String) {
        finishClaim(node, g, error: error)
    }

    /// The claim returns: the engine hears it; the queue moves on.
    private mutating func finishClaim(_ node: Int, _ g: Int, error: String?) {
        guard let op = nodes[node].fenced[g].running, case .claim(let epoch) = op.kind else { return }
        nodes[node].fenced[g].running = nil
        let group = plan.groupNames[g]
        if let error {
            timeline.append(
                TimelineEntry(at: now, node: nodes[node].name, kind: .mover, text: "\(group): claim failed: \(error)"))
        }
        perform(node) { $0.claimFinished(group: group, epoch: epoch, error: error, now: $1) }
        queue.schedule(.etcd(.runNext(node: node, boot: nodes[node].boots, group: g)), at: now)
    }

    // MARK: Release

    /// `EtcdFencedMover.release`: the inner mover first, then resign.
    private mutating func startRelease(_ node: Int, _ g: Int) {
        nodes[node].fenced[g].claimedEpoch = nil
        removeAddresses(node, g)
        guard nodes[node].fenced[g].running != nil else { return }
        let ended = nodes[node].fenced[g].tenure
        nodes[node].fenced[g].tenure = nil
        let resignation = ElectionResignation(machine: electionMachine(node, g), tenure: ended?.machine)
        nodes[node].fenced[g].running?.resignation = resignation
        resignStep(node, g, resignation.begin())
    }

    /// Does what the resignation machine says: sends its next request, or ends the release.
    private mutating func resignStep(_ node: Int, _ g: Int, _ next: ElectionResignation.Next) {
        guard let op = nodes[node].fenced[g].running?.id else { return }
        switch next {
        case .send(let request, let limit):
            etcdSend(request, from: node, group: g, limit: limit, then: .resign(op: op))
        case .done(_, let revoke):
            if let revoke { revokeInBackground(revoke, from: node, group: g) }
            finishRelease(node, g)
        }
    }

    private mutating func finishRelease(_ node: Int, _ g: Int) {
        nodes[node].fenced[g].running = nil
        runNextOp(node, g)
    }
}
