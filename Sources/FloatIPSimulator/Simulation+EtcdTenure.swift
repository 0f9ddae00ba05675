import FloatIPCore

// `EtcdElection` while it holds, driving the core's `ElectionTenure` as the agent does: the renew
// loop (with its poll), the local deadline, the watch, and the loss with what
// `EtcdFencedMover.tenureLost` does then.
extension Simulation {
    mutating func beginTenure(_ node: Int, _ g: Int, _ won: ElectionTenure) {
        let serial = etcd.nextID()
        nodes[node].fenced[g].tenure = SimTenure(serial: serial, machine: won)
        etcd.checker.tenureBegan(node: nodes[node].name, group: g, epoch: won.createRevision, now: now)
        timeline.append(
            TimelineEntry(
                at: now, node: nodes[node].name, kind: .mover,
                text: "\(plan.groupNames[g]): etcd key won (epoch \(won.createRevision))"))
        queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: max(now, won.nextRenewal))
        queue.schedule(.etcd(.deadline(node: node, group: g, serial: serial)), at: won.deadline)
    }

    /// The tenure `serial`, if it is still the node's current one.
    private func tenure(_ node: Int, _ g: Int, _ serial: Int) -> SimTenure? {
        guard nodes[node].isUp, let tenure = nodes[node].fenced[g].tenure, tenure.serial == serial else { return nil }
        return tenure
    }

    /// The renewal the machine asks for.
    mutating func renewDue(_ node: Int, _ g: Int, serial: Int) {
        guard var tenure = tenure(node, g, serial) else { return }
        let renewal = tenure.machine.renew(now: now)
        nodes[node].fenced[g].tenure = tenure
        etcdSend(
            renewal.request, from: node, group: g, limit: renewal.limit, then: .renew(serial: serial, sent: now))
    }

    mutating func renewAnswered(_ node: Int, _ g: Int, serial: Int, sent: Instant, _ reply: ElectionReply) {
        guard var tenure = tenure(node, g, serial) else { return }
        let outcome = tenure.machine.renewed(reply, sent: sent)
        nodes[node].fenced[g].tenure = tenure
        switch outcome {
        case .failed:
            queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: max(now, tenure.machine.nextRenewal))
        case .lost(let reason):
            loseTenure(node, g, serial: serial, reason: reason)
        case .renewed:
            // onRenewed: the local mover's bound moves, and it renews the address lifetimes at once.
            nodes[node].fenced[g].bound = tenure.machine.leaseEndsNoEarlier
            maintainAddresses(node, g)
            guard let poll = tenure.machine.poll(now: now) else {
                return queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: now)
            }
            etcdSend(poll.request, from: node, group: g, limit: poll.limit, then: .poll(serial: serial))
        }
    }

    /// The read after a renewal: still ours? Then the loop goes on.
    mutating func pollAnswered(_ node: Int, _ g: Int, serial: Int, _ reply: ElectionReply) {
        guard var tenure = tenure(node, g, serial) else { return }
        let problem = tenure.machine.polled(reply)
        nodes[node].fenced[g].tenure = tenure
        if let problem { return loseTenure(node, g, serial: serial, reason: problem) }
        queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: max(now, tenure.machine.nextRenewal))
    }

    mutating func deadlinePassed(_ node: Int, _ g: Int, serial: Int) {
        guard let tenure = tenure(node, g, serial) else { return }
        guard let reason = tenure.machine.expired(at: now) else {
            return queue.schedule(.etcd(.deadline(node: node, group: g, serial: serial)), at: tenure.deadline)
        }
        loseTenure(node, g, serial: serial, reason: reason)
    }

    mutating func watchEvent(_ node: Int, _ g: Int, serial: Int, change: SimulatedEtcd.Change) {
        guard !etcd.cut.contains(node), let tenure = tenure(node, g, serial) else { return }
        if let problem = tenure.machine.watched(change.now, revision: change.revision) {
            loseTenure(node, g, serial: serial, reason: problem)
        }
    }

    /// `EtcdElection.lose`: the tenure ends, its lease is revoked in the background, and the fenced
    /// mover's `tenureLost` runs: the inner release (after an inner claim under way), then the fault.
    mutating func loseTenure(_ node: Int, _ g: Int, serial: Int, reason: String) {
        guard let tenure = tenure(node, g, serial) else { return }
        nodes[node].fenced[g].tenure = nil
        revokeInBackground(tenure.machine.lease, from: node, group: g)
        timeline.append(
            TimelineEntry(
                at: now, node: nodes[node].name, kind: .mover,
                text: "\(plan.groupNames[g]): etcd tenure lost: \(reason)"))
        if nodes[node].fenced[g].innerClaiming {
            nodes[node].fenced[g].lossWaiting = reason
        } else {
            lossRelease(node, g, reason: reason)
        }
    }

    mutating func lossRelease(_ node: Int, _ g: Int, reason: String) {
        if nodes[node].fenced[g].claimedEpoch != nil {
            nodes[node].fenced[g].claimedEpoch = nil
            removeAddresses(node, g)
        }
        let generation = etcd.nextID()
        nodes[node].fenced[g].fault = "lost etcd key \(SimEtcdWorld.key(g)): \(reason); released"
        nodes[node].fenced[g].faultGeneration = generation
        queue.schedule(.etcd(.faultClear(node: node, group: g, generation: generation)), at: now + settings.ttl)
        refreshCondition(node, g)
    }

    mutating func faultCleared(_ node: Int, _ g: Int, generation: Int) {
        guard nodes[node].isUp, nodes[node].fenced[g].faultGeneration == generation, nodes[node].fenced[g].fault != nil
        else { return }
        nodes[node].fenced[g].fault = nil
        refreshCondition(node, g)
    }
}
