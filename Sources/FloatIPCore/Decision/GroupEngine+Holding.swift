// Rules for a node that holds the group: keep it, hand it over, or give it up.
extension GroupEngine {
    mutating func stepHolding(
        _ condition: Eligibility, local: LocalCondition, alive: [PeerView], now: Instant, intents: inout [Intent]
    ) {
        switch condition {
        case .starting:
            // Unreachable in practice (a node holds only after its start), but never hold while starting.
            release(to: .starting, reason: "starting", intents: &intents)
        case .fault(let why):
            // Rule 1: a node holds only while healthy. Peers take over at once when they hear the fault.
            release(to: .fault, reason: "\(why); released", intents: &intents)
        case .maintenance:
            if exclusive {
                releaseForMaintenance(alive: alive, now: now, intents: &intents)
            } else {
                handOverForMaintenance(alive: alive, now: now, intents: &intents)
            }
        case .eligible:
            // Rule 8: a holder back from a stall yields to a peer that claimed while it was away.
            if yieldAfterStall(alive: alive, intents: &intents) { return }
            if let pending = handover, pending.sticky {
                if exclusive {
                    releaseForSwitchover(pending, alive: alive, now: now, intents: &intents)
                } else {
                    continueSwitchover(pending, alive: alive, now: now, intents: &intents)
                }
            } else {
                handover = nil
                if exclusive, failBackFromHolder(local: local, alive: alive, now: now, intents: &intents) { return }
                resolveConflicts(local: local, alive: alive, intents: &intents)
            }
        }
    }

    /// Rule 3: make-before-break. The holder keeps the group until the target holds actively.
    private mutating func handOverForMaintenance(alive: [PeerView], now: Instant, intents: inout [Intent]) {
        let current = handover.flatMap { pending in alive.first { $0.name == pending.target && $0.advert.eligible } }
        guard let target = current ?? bestEligible(alive) else {
            release(to: .maintenance, reason: "maintenance: no healthy peer to take over; released", intents: &intents)
            return
        }
        if target.holdsActively {
            release(to: .maintenance, reason: "maintenance: handed over to \(target.name)", intents: &intents)
            return
        }
        let since = handover?.since ?? now
        if now - since >= timers.handoverTimeout {
            release(
                to: .maintenance,
                reason: "maintenance: \(target.name) did not take over within "
                    + "\(timers.handoverTimeout.shortDescription); released", intents: &intents)
            return
        }
        handover = PendingHandover(target: target.name, sticky: false, since: since)
        reason = "maintenance: handing over to \(target.name)"
    }

    /// An operator's switchover: release once the target holds, give up on it after the timeout.
    private mutating func continueSwitchover(
        _ pending: PendingHandover, alive: [PeerView], now: Instant, intents: inout [Intent]
    ) {
        let target = alive.first { $0.name == pending.target }
        if let target, target.holdsActively {
            release(to: .standby, reason: "switchover: handed over to \(target.name)", intents: &intents)
            return
        }
        let problem: String? =
            if target == nil { "\(pending.target) went silent" }
            else if target?.advert.eligible == false { "\(pending.target) is no longer healthy" }
            else if now - pending.since >= timers.handoverTimeout {
                "\(pending.target) did not take over within \(timers.handoverTimeout.shortDescription)"
            } else { nil }
        if let problem {
            handover = nil
            reason = "switchover to \(pending.target) abandoned: \(problem); still holding"
        } else {
            reason = "switchover: handing over to \(pending.target)"
        }
    }

    /// Rule 5: of two holders, the lower-ranked releases once the winner's claim has completed
    /// (so a failback is make-before-break too); the winner announces again when the set of
    /// losers changes.
    private mutating func resolveConflicts(local: LocalCondition, alive: [PeerView], intents: inout [Intent]) {
        let me = Rank(priority: local.priority, node: node)
        let rivals = alive.filter { $0.holds && !$0.isLeaving }
        let others = Set(rivals.map(\.name))
        let winners = rivals.filter { $0.rank > me }
        if let winner = winners.filter(\.holdsActively).max(by: { $0.rank < $1.rank }) {
            release(
                to: .standby,
                reason: "\(winner.name) also holds and ranks higher (priority \(winner.advert.priority) vs my "
                    + "\(local.priority)); released", intents: &intents)
            return
        }
        if let claimer = winners.max(by: { $0.rank < $1.rank }) {
            // Remembered, so that if the claimer gives up instead (a node back from a stall yields,
            // rule 8, after its announcements may have pointed clients at it), this node announces.
            conflicting = others
            reason = "\(claimer.name) ranks higher and is claiming; releasing once it holds"
            return
        }
        // Past the winner checks, every other holder ranks below this node.
        reason =
            others.isEmpty
            ? claimReason : "\(others.sorted().joined(separator: ", ")) also holds; I rank higher and keep it"
        // Back from a stall, this node listens before it asserts anything (rule 8): what would
        // make it announce is kept for when the listen ends.
        guard !staleHold else { return }
        var announce = false
        if others != conflicting {
            announce = true
            conflicting = others
        }
        // A peer that claimed while this node could not hear it (a partition) pointed clients at
        // itself, and may have released before this node ever heard it hold: its claim term is
        // above ours. Announce again so the clients come back.
        let newest = alive.map(\.advert.term).max() ?? 0
        if newest > term, newest > overtakenTerm {
            overtakenTerm = newest
            announce = true
        }
        if announce, active { intents.append(.announce) }
    }

    /// The best-ranked alive peer that could hold the group.
    func bestEligible(_ alive: [PeerView]) -> PeerView? {
        alive.filter { $0.advert.eligible && !$0.isLeaving }.max(by: { $0.rank < $1.rank })
    }
}
