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

    /// Continues the async function that sent an etcd request.
    mutating func resume(_ call: SimEtcdCall, _ outcome: SimEtcdOutcome) {
        let node = call.node
        let g = call.group
        guard nodes[node].isUp, nodes[node].boots == call.boot else { return }
        switch call.then {
        case .campaignGrant(let op): granted(node, g, op: op, outcome)
        case .campaignCreate(let op, let lease, let ttl):
            createAnswered(node, g, op: op, lease: lease, ttl: ttl, outcome)
        case .clearStale(let op, let staleLease):
            guard running(node, g, op) != nil else { return }
            if staleLease != 0 { revokeInBackground(staleLease, from: node, group: g) }
            nodes[node].fenced[g].running?.attempt = 1
            campaignAttempt(node, g)
        case .patienceGet(let op):
            guard let running = running(node, g, op) else { return }
            if case .answer(.value(let found)) = outcome, found?.createRevision != running.patienceRevision {
                nodes[node].fenced[g].running?.attempt += 1
                return campaignAttempt(node, g)
            }
            schedulePatiencePoll(node, g, op: op)
        case .resignDelete(let op, let lease):
            guard running(node, g, op) != nil else { return }
            guard case .answer = outcome else {
                revokeInBackground(lease, from: node, group: g)
                return finishRelease(node, g)
            }
            etcdSend(
                .revoke(lease: lease), from: node, group: g, limit: settings.renewInterval,
                then: .resignRevoke(op: op, lease: lease))
        case .resignRevoke(let op, let lease):
            guard running(node, g, op) != nil else { return }
            if case .answer(.revoked) = outcome {} else { revokeInBackground(lease, from: node, group: g) }
            finishRelease(node, g)
        case .resignGet(let op):
            guard running(node, g, op) != nil else { return }
            guard case .answer(.value(let found?)) = outcome, found.value == nodes[node].name else {
                return finishRelease(node, g)
            }
            etcdSend(
                .delete(key: SimEtcdWorld.key(g), ifCreatedAt: found.createRevision), from: node, group: g,
                limit: settings.renewInterval, then: .resignStaleDelete(op: op, lease: found.lease))
        case .resignStaleDelete(let op, let lease):
            guard running(node, g, op) != nil else { return }
            guard case .answer = outcome, lease != 0 else { return finishRelease(node, g) }
            etcdSend(
                .revoke(lease: lease), from: node, group: g, limit: settings.renewInterval,
                then: .resignStaleRevoke(op: op))
        case .resignStaleRevoke(let op):
            guard running(node, g, op) != nil else { return }
            finishRelease(node, g)
        case .renew(let serial, let sent): renewAnswered(node, g, serial: serial, sent: sent, outcome)
        case .poll(let serial): pollAnswered(node, g, serial: serial, outcome)
        case .none: break
        }
    }

    // MARK: Claim

    /// The next poll of a patient campaign: every 5 ms for 200 ms, then every 50 ms.
    private mutating func schedulePatiencePoll(_ node: Int, _ g: Int, op: Int) {
        let elapsed = now - (nodes[node].fenced[g].running?.patienceStart ?? now)
        queue.schedule(
            .etcd(.patiencePoll(node: node, boot: nodes[node].boots, group: g, op: op)),
            at: now + (elapsed < .milliseconds(200) ? .milliseconds(5) : .milliseconds(50)))
    }

    /// A patient campaign's poll: give up once its patience is spent, else read the key.
    mutating func patiencePoll(_ node: Int, _ g: Int, op: Int) {
        guard let running = running(node, g, op) else { return }
        let end = running.patienceStart + settings.patience
        guard now < end else {
            return failClaim(
                node, g,
                "etcd key \(SimEtcdWorld.key(g)) is held by \(running.patienceHolder) "
                    + "(since revision \(running.patienceRevision))")
        }
        etcdSend(
            .get(key: SimEtcdWorld.key(g)), from: node, group: g, limit: max(end - now, .milliseconds(50)),
            then: .patienceGet(op: op))
    }

    /// `EtcdFencedMover.claim`: an existing tenure (by its deadline) is enough; otherwise campaign.
    private mutating func startClaim(_ node: Int, _ g: Int) {
        if let tenure = nodes[node].fenced[g].tenure {
            if now < tenure.deadline { return innerClaim(node, g, won: tenure.epoch) }
            loseTenure(node, g, serial: tenure.serial, reason: "its local deadline passed")
        }
        nodes[node].fenced[g].running?.campaignStart = now
        nodes[node].fenced[g].running?.attempt = 0
        campaignAttempt(node, g)
    }

    /// What is left of the campaign's `ttl`.
    private func campaignLeft(_ node: Int, _ g: Int) -> Duration {
        settings.ttl - (now - (nodes[node].fenced[g].running?.campaignStart ?? now))
    }

    /// One attempt: grant a lease, then create the key if absent.
    private mutating func campaignAttempt(_ node: Int, _ g: Int) {
        guard let op = nodes[node].fenced[g].running else { return }
        guard op.attempt < 3 else { return failClaim(node, g, "campaign for the key took longer than its ttl") }
        let left = campaignLeft(node, g)
        guard left > .zero else { return failClaim(node, g, "campaign for the key took longer than its ttl") }
        nodes[node].fenced[g].running?.grantSent = now
        etcdSend(
            .grant(ttl: settings.ttl), from: node, group: g, limit: min(settings.renewInterval, left),
            then: .campaignGrant(op: op.id))
    }

    private mutating func granted(_ node: Int, _ g: Int, op: Int, _ outcome: SimEtcdOutcome) {
        guard running(node, g, op) != nil else { return }
        guard case .answer(.granted(let lease, let ttl)) = outcome else {
            return failClaim(node, g, "etcd unavailable: lease/grant \(outcome.text)")
        }
        let left = campaignLeft(node, g)
        guard left > .zero else {
            revokeInBackground(lease, from: node, group: g)
            return failClaim(node, g, "campaign for the key took longer than its ttl")
        }
        etcdSend(
            .createIfAbsent(key: SimEtcdWorld.key(g), value: nodes[node].name, lease: lease), from: node, group: g,
            limit: min(settings.renewInterval, left), then: .campaignCreate(op: op, lease: lease, ttl: ttl))
    }

    private mutating func createAnswered(
        _ node: Int, _ g: Int, op: Int, lease: Int64, ttl: Duration, _ outcome: SimEtcdOutcome
    ) {
        guard let running = running(node, g, op) else { return }
        switch outcome {
        case .answer(.created(let revision)):
            // Too late to hold it safely: the deadline would already have passed.
            guard now < running.grantSent + ttl - settings.margin else {
                revokeInBackground(lease, from: node, group: g)
                return failClaim(node, g, "campaign answered too late")
            }
            beginTenure(
                node, g, epoch: revision, lease: lease, sent: running.grantSent, granted: min(ttl, settings.ttl))
            innerClaim(node, g, won: revision)
        case .answer(.exists(let holder)):
            revokeInBackground(lease, from: node, group: g)
            if let holder, holder.value == nodes[node].name, running.attempt == 0 {
                // Ours, from an earlier run of this node: clear it (only that very key), try again.
                let left = campaignLeft(node, g)
                guard left > .zero else {
                    nodes[node].fenced[g].running?.attempt = 1
                    return campaignAttempt(node, g)
                }
                etcdSend(
                    .delete(key: SimEtcdWorld.key(g), ifCreatedAt: holder.createRevision), from: node, group: g,
                    limit: min(settings.renewInterval, left), then: .clearStale(op: op, staleLease: holder.lease))
                return
            }
            if !running.patienceWaited, settings.patience > .zero {
                // `EtcdElection.campaign(patience:)`: poll the key, try once more when it goes.
                nodes[node].fenced[g].running?.patienceWaited = true
                nodes[node].fenced[g].running?.patienceStart = now
                nodes[node].fenced[g].running?.patienceRevision = holder?.createRevision ?? 0
                nodes[node].fenced[g].running?.patienceHolder = holder?.value ?? "an unknown node"
                return schedulePatiencePoll(node, g, op: op)
            }
            failClaim(
                node, g,
                "etcd key \(SimEtcdWorld.key(g)) is held by \(holder?.value ?? "an unknown node") "
                    + "(since revision \(holder?.createRevision ?? 0))")
        default:
            revokeInBackground(lease, from: node, group: g)
            failClaim(node, g, "etcd unavailable: kv/txn \(outcome.text)")
        }
    }

    /// The gate: the tenure must still stand; the local mover is bounded by the lease, then claims.
    private mutating func innerClaim(_ node: Int, _ g: Int, won: Int64) {
        guard let tenure = nodes[node].fenced[g].tenure, tenure.epoch == won, now < tenure.deadline else {
            return failClaim(node, g, "campaign for the key took longer than its ttl")
        }
        nodes[node].fenced[g].bound = tenure.leaseEndsNoEarlier
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
        guard let op = nodes[node].fenced[g].running else { return }
        if let tenure = nodes[node].fenced[g].tenure {
            nodes[node].fenced[g].tenure = nil
            etcdSend(
                .delete(key: SimEtcdWorld.key(g), ifCreatedAt: tenure.epoch), from: node, group: g,
                limit: settings.renewInterval, then: .resignDelete(op: op.id, lease: tenure.lease))
        } else {
            // Without a tenure: a key of this node's name is left from an earlier run; remove it.
            etcdSend(
                .get(key: SimEtcdWorld.key(g)), from: node, group: g, limit: settings.renewInterval,
                then: .resignGet(op: op.id))
        }
    }

    private mutating func finishRelease(_ node: Int, _ g: Int) {
        nodes[node].fenced[g].running = nil
        runNextOp(node, g)
    }
}

extension SimEtcdOutcome {
    /// How a failed call ended, for claim errors.
    var text: String {
        switch self {
        case .failure(let why): why
        case .answer(.failed(let message)): "failed: \(message)"
        case .answer: "answered unexpectedly"
        }
    }
}
