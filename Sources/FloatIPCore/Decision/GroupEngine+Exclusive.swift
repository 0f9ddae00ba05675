// Planned moves when only one node can hold at a time (`exclusive`: an etcd key). There a claim
// fails while the old holder still holds, so make-before-break (rule 3) cannot work: the holder
// releases first and keeps naming the target in its heartbeat until the target holds; the target
// claims when it hears that. A failback is started by the holder, once the better-ranked peer has
// been heard eligible for `preempt_delay`, since the peer's own claim would fail.
extension GroupEngine {
    /// Maintenance: release for the best-ranked eligible peer to take over.
    mutating func releaseForMaintenance(alive: [PeerView], now: Instant, intents: inout [Intent]) {
        guard let target = bestEligible(alive) else {
            release(to: .maintenance, reason: "maintenance: no healthy peer to take over; released", intents: &intents)
            return
        }
        handOver(
            to: target.name, sticky: false, role: .maintenance, now: now,
            reason: "maintenance: released for \(target.name) to take over", intents: &intents)
    }

    /// An operator's switchover: release at once when the target can take the group; abandon it
    /// (keep holding) when it cannot.
    mutating func releaseForSwitchover(
        _ pending: PendingHandover, alive: [PeerView], now: Instant, intents: inout [Intent]
    ) {
        guard let target = alive.first(where: { $0.name == pending.target }), target.advert.eligible else {
            let silent = !alive.contains { $0.name == pending.target }
            handover = nil
            reason = "switchover to \(pending.target) abandoned: \(pending.target) "
                + (silent ? "went silent" : "is no longer healthy") + "; still holding"
            return
        }
        handOver(
            to: target.name, sticky: true, role: .standby, now: now,
            reason: "switchover: released for \(target.name) to take over", intents: &intents)
    }

    /// Rule 4 from the holder's side: hands the group to a better-ranked peer heard eligible for
    /// `preempt_delay`. Returns true when it did.
    mutating func failBackFromHolder(local: LocalCondition, alive: [PeerView], now: Instant, intents: inout [Intent])
        -> Bool
    {
        let candidates = alive.filter { $0.advert.eligible && !$0.holds }
        peerEligibleSince = Dictionary(uniqueKeysWithValues: candidates.map { ($0.name, peerEligibleSince[$0.name] ?? now) })
        guard preempt, !sticky, active else { return false }
        let me = Rank(priority: local.priority, node: node)
        guard let best = candidates.max(by: { $0.rank < $1.rank }), best.rank > me,
            let since = peerEligibleSince[best.name], now - since >= timers.preemptDelay
        else { return false }
        handOver(
            to: best.name, sticky: false, role: .standby, now: now,
            reason: "failback: released for \(best.name), which ranks above me and has been healthy for "
                + "\((now - since).shortDescription)", intents: &intents)
        return true
    }

    /// After releasing for a handover: waits for the target to claim. True while waiting (the
    /// caller decides nothing else); false once the target holds, or when the handover failed
    /// (target silent, unhealthy, or not claiming within `handover_timeout`), so the usual rules
    /// apply again.
    mutating func awaitHandover(_ condition: Eligibility, alive: [PeerView], now: Instant) -> Bool {
        guard let pending = handover else { return false }
        let waiting: Bool
        switch condition {
        case .eligible, .maintenance: waiting = true
        case .starting, .fault: waiting = false
        }
        let target = alive.first { $0.name == pending.target }
        let problem: String? =
            if !waiting { "this node can no longer wait for it" }
            else if let target, target.holds { nil }
            else if target == nil { "\(pending.target) went silent" }
            else if target?.advert.eligible == false { "\(pending.target) is no longer healthy" }
            else if now - pending.since >= timers.handoverTimeout {
                "\(pending.target) did not claim within \(timers.handoverTimeout.shortDescription)"
            } else { nil }
        if target?.holds == true || problem != nil {
            handover = nil
            if let problem { reason = "handover to \(pending.target) failed: \(problem)" }
            return false
        }
        reason = "released for \(pending.target) to take over; waiting for it to claim"
        return true
    }

    /// Releases and keeps naming `target` in the heartbeat, so it claims when it hears it and every
    /// other node lets it.
    private mutating func handOver(
        to target: String, sticky: Bool, role newRole: Role, now: Instant, reason: String, intents: inout [Intent]
    ) {
        release(to: newRole, reason: reason, intents: &intents)
        handover = PendingHandover(target: target, sticky: sticky, since: now)
    }
}
