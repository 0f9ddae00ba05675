// A node that was stalled (SIGSTOP, a paused or migrated VM, a swap storm) resumes with a view of
// the cluster that is seconds old: peers it last heard look silent, and a peer may have claimed its
// group while it was away. It is the least trustworthy node to assert anything, so for one dead
// interval after it resumes (`staleUntil`) it listens first (docs/decision.md, rule 8).
extension GroupEngine {
    /// The shell found this node was stalled for `length`, up to `now`: its view is stale.
    mutating func resumed(after length: Duration, now: Instant) {
        staleUntil = now + timers.deadInterval
        stallLength = length
        // A claim made before the stall is not vouched for until the listen ends: peers see
        // "claiming", not "holds", so a lower-ranked peer that took over keeps the group (rule 5).
        staleHold = role == .holder
        // Time spent stalled is not time spent healthy: preempt_delay counts from the resume.
        eligibleSince = nil
        peerEligibleSince = [:]
    }

    /// Ends the listen after a stall once its time has passed.
    mutating func expireStaleView(now: Instant) {
        guard let until = staleUntil, now >= until else { return }
        staleUntil = nil
        staleHold = false
    }

    /// While the view is stale: a holder gives the group to a peer that claimed it with a newer
    /// term (it claimed while this node was away, and clients follow it now). True when it released.
    mutating func yieldAfterStall(alive: [PeerView], intents: inout [Intent]) -> Bool {
        guard staleHold,
            let newer = alive.filter({ $0.holds && !$0.isLeaving && $0.advert.term > term })
                .max(by: { $0.advert.term < $1.advert.term })
        else { return false }
        release(
            to: .standby,
            reason: "stalled for \(stallLength.shortDescription) while \(newer.name) claimed the group "
                + "(term \(newer.advert.term), mine \(term)); released", intents: &intents)
        return true
    }

    /// While the view is stale, a node that does not hold claims nothing: the peers it last heard
    /// look silent only because it was not listening, and what it reads first on resuming (a
    /// handover to it, a holder's release) is seconds old and may have been overtaken by what
    /// follows in its socket's queue. True while listening.
    mutating func listenAfterStall(now: Instant) -> Bool {
        guard let until = staleUntil, now < until else { return false }
        role = .standby
        reason = "resumed after a stall of \(stallLength.shortDescription): listening for a dead interval "
            + "(\(timers.deadInterval.shortDescription)) before any claim"
        return true
    }
}
