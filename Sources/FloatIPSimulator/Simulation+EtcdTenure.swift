import FloatIPCore

// `EtcdElection` while it holds: the renew loop (with its poll), the local deadline, the watch, and
// the loss with what `EtcdFencedMover.tenureLost` does then.
extension Simulation {
    mutating func beginTenure(_ node: Int, _ g: Int, epoch: Int64, lease: Int64, sent: Instant, granted: Duration) {
        let serial = etcd.nextID()
        let tenure = SimTenure(
            serial: serial, lease: lease, epoch: epoch, deadline: sent + granted - settings.margin,
            lastRenewalSent: sent,
            leaseEndsNoEarlier: sent + granted, next: sent + settings.renewInterval)
        nodes[node].fenced[g].tenure = tenure
        etcd.checker.tenureBegan(node: nodes[node].name, group: g, epoch: epoch, now: now)
        timeline.append(
            TimelineEntry(
                at: now, node: nodes[node].name, kind: .mover,
                text: "\(plan.groupNames[g]): etcd key won (epoch \(epoch))"))
        queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: max(now, tenure.next))
        queue.schedule(.etcd(.deadline(node: node, group: g, serial: serial)), at: tenure.deadline)
    }

    /// The tenure `serial`, if it is still the node's current one.
    private func tenure(_ node: Int, _ g: Int, _ serial: Int) -> SimTenure? {
        guard nodes[node].isUp, let tenure = nodes[node].fenced[g].tenure, tenure.serial == serial else { return nil }
        return tenure
    }

    /// One keepalive, bounded by the interval (half of it after a failure).
    mutating func renewDue(_ node: Int, _ g: Int, serial: Int) {
        guard var tenure = tenure(node, g, serial) else { return }
        let limit = tenure.failing ? settings.renewInterval / 2 : settings.renewInterval
        tenure.next = now + limit
        tenure.failing = true
        nodes[node].fenced[g].tenure = tenure
        etcdSend(
            .keepAlive(lease: tenure.lease), from: node, group: g, limit: limit, then: .renew(serial: serial, sent: now)
        )
    }

    mutating func renewAnswered(_ node: Int, _ g: Int, serial: Int, sent: Instant, _ outcome: SimEtcdOutcome) {
        guard var tenure = tenure(node, g, serial) else { return }
        guard case .answer(.renewed(let ttl)) = outcome else {
            // renewalFailed: the loop goes on at `next` (the deadline ends it if nothing succeeds).
            return queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: max(now, tenure.next))
        }
        guard let ttl else {
            return loseTenure(
                node, g, serial: serial, reason: "its lease is gone (etcd answered the renewal without a TTL)")
        }
        let granted = min(ttl, settings.ttl)
        tenure.deadline = max(tenure.deadline, sent + granted - settings.margin)
        tenure.lastRenewalSent = max(tenure.lastRenewalSent, sent)
        tenure.leaseEndsNoEarlier = max(tenure.leaseEndsNoEarlier, sent + granted)
        tenure.failing = false
        tenure.next = sent + settings.renewInterval
        nodes[node].fenced[g].tenure = tenure
        // onRenewed: the local mover's bound moves, and it renews the address lifetimes at once.
        nodes[node].fenced[g].bound = tenure.leaseEndsNoEarlier
        maintainAddresses(node, g)
        // The poll gets what is left of this interval: it never holds the next renewal back.
        let left = tenure.next - now
        guard left > .zero else {
            return queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: now)
        }
        etcdSend(.get(key: SimEtcdWorld.key(g)), from: node, group: g, limit: left, then: .poll(serial: serial))
    }

    /// The read after a renewal: still ours? Then the loop goes on.
    mutating func pollAnswered(_ node: Int, _ g: Int, serial: Int, _ outcome: SimEtcdOutcome) {
        guard let tenure = tenure(node, g, serial) else { return }
        if case .answer(.value(let found)) = outcome,
            let problem = Self.problem(with: found, epoch: tenure.epoch, name: nodes[node].name)
        {
            return loseTenure(node, g, serial: serial, reason: problem)
        }
        queue.schedule(.etcd(.renewDue(node: node, group: g, serial: serial)), at: max(now, tenure.next))
    }

    mutating func deadlinePassed(_ node: Int, _ g: Int, serial: Int) {
        guard let tenure = tenure(node, g, serial) else { return }
        guard now >= tenure.deadline else {
            return queue.schedule(.etcd(.deadline(node: node, group: g, serial: serial)), at: tenure.deadline)
        }
        loseTenure(
            node, g, serial: serial,
            reason:
                "no renewal succeeded for \((now - tenure.lastRenewalSent).shortDescription) (local deadline passed)")
    }

    mutating func watchEvent(_ node: Int, _ g: Int, serial: Int, change: SimulatedEtcd.Change) {
        guard !etcd.cut.contains(node), let tenure = tenure(node, g, serial) else { return }
        let problem =
            change.now == nil
            ? "its key was deleted (revision \(change.revision))"
            : Self.problem(with: change.now, epoch: tenure.epoch, name: nodes[node].name)
        if let problem { loseTenure(node, g, serial: serial, reason: problem) }
    }

    /// What is wrong with the key as read (nil: still ours, from `epoch`), as `EtcdElection.problem`.
    static func problem(with value: SimulatedEtcd.KeyValue?, epoch: Int64, name: String) -> String? {
        guard let value else { return "its key is gone" }
        guard value.createRevision == epoch else {
            return "its key was created again by \(value.value) (revision \(value.createRevision), ours was \(epoch))"
        }
        guard value.value == name else { return "its key now names \(value.value)" }
        return nil
    }

    /// `EtcdElection.lose`: the tenure ends, its lease is revoked in the background, and the fenced
    /// mover's `tenureLost` runs: the inner release (after an inner claim under way), then the fault.
    mutating func loseTenure(_ node: Int, _ g: Int, serial: Int, reason: String) {
        guard let tenure = tenure(node, g, serial) else { return }
        nodes[node].fenced[g].tenure = nil
        revokeInBackground(tenure.lease, from: node, group: g)
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
