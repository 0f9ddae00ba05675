// Rules for a node that does not hold the group: wait, take over, or fail back.
extension GroupEngine {
    mutating func stepNotHolding(
        _ condition: Eligibility, local: LocalCondition, alive: [PeerView], peers: [PeerView], now: Instant,
        intents: inout [Intent]
    ) {
        if exclusive, awaitHandover(condition, alive: alive, now: now) { return }
        guard case .eligible = condition else {
            settle(condition)
            return
        }
        // Rule 8: back from a stall, listen for a dead interval before any claim.
        if listenAfterStall(now: now) { return }
        let holders = alive.filter(\.holds)
        // In exclusive mode a giver has already released when it names this node.
        let givers = exclusive ? alive : holders
        // Rule 2 and 3: a holder that hands the group to this node is answered at once.
        if let giver = givers.first(where: { $0.advert.handover?.target == node }) {
            let why =
                giver.advert.handover?.sticky == true ? "switchover" : giver.advert.maintenance ? "maintenance" : "failback"
            claim(
                peers: peers, sticky: giver.advert.handover?.sticky == true,
                reason: "\(giver.name) handed the group over to me (\(why))", intents: &intents)
            return
        }
        let me = Rank(priority: local.priority, node: node)
        let staying = holders.filter { !$0.isLeaving }
        if let holder = staying.max(by: { $0.rank < $1.rank }) {
            considerFailback(over: holder, me: me, alive: alive, peers: peers, now: now, intents: &intents)
            return
        }
        // A leaving holder that hands over to a live peer: that peer takes it.
        if let leaving = givers.first(where: { $0.advert.handover != nil }),
            let target = leaving.advert.handover?.target,
            alive.contains(where: { $0.name == target && $0.advert.eligible })
        {
            role = .standby
            reason = "\(leaving.name) hands the group over to \(target)"
            return
        }
        // Rule 2: no holder (silent, fault, maintenance): the best-ranked eligible node claims.
        // Just after start, healthy peers still listening count too, so nodes that start together
        // elect one holder instead of all claiming at the end of their listen.
        let justStarted = now - (eligibleSince ?? now) < timers.startupListen
        let listening = justStarted ? alive.filter { $0.advert.role == .starting && $0.advert.healthy && !$0.advert.maintenance } : []
        if let better = (listening + [bestEligible(alive)].compactMap { $0 }).max(by: { $0.rank < $1.rank }), better.rank > me {
            role = .standby
            reason = "no holder; \(better.name) ranks higher and takes it"
            return
        }
        // Rule 6 again after a fault: a peer silent while this node was cut off may hold the group
        // still; listen for one dead interval (or until every peer is heard) before claiming.
        if let until = relistenUntil, now < until, peers.contains(where: { $0.name != node && !isAlive($0, now: now) }) {
            role = .standby
            reason = "recovered from fault: listening for \((until - now).shortDescription) more before claiming"
            return
        }
        claim(peers: peers, sticky: false, reason: takeoverReason(peers: peers, now: now), intents: &intents)
    }

    /// Rule 4: a better-ranked node takes the group back once it has been healthy for `preempt_delay`,
    /// unless preemption is off or an operator placed the group where it is.
    private mutating func considerFailback(
        over holder: PeerView, me: Rank, alive: [PeerView], peers: [PeerView], now: Instant,
        intents: inout [Intent]
    ) {
        role = .standby
        guard me > holder.rank else {
            reason = "\(holder.name) holds"
            return
        }
        guard preempt else {
            reason = "\(holder.name) holds; I rank higher but preempt is off"
            return
        }
        guard !holder.advert.sticky else {
            reason = "\(holder.name) holds, placed there by a switchover; I do not preempt it"
            return
        }
        if let better = bestEligible(alive), better.rank > me {
            reason = "\(holder.name) holds; \(better.name) ranks higher and fails back first"
            return
        }
        if exclusive {
            // This node's claim would fail while the holder holds: the holder hands it over.
            reason = "\(holder.name) holds; I rank higher and it hands the group over to me once it has heard me "
                + "healthy for \(timers.preemptDelay.shortDescription)"
            return
        }
        let healthyFor = now - (eligibleSince ?? now)
        guard healthyFor >= timers.preemptDelay else {
            reason = "\(holder.name) holds; I rank higher and fail back after \(timers.preemptDelay.shortDescription) healthy"
            return
        }
        claim(
            peers: peers, sticky: false,
            reason: "failback: I rank above \(holder.name) and have been healthy for \(healthyFor.shortDescription)",
            intents: &intents)
    }

    /// Why this node takes an unheld group, naming the holder it replaces if there was one.
    private func takeoverReason(peers: [PeerView], now: Instant) -> String {
        guard let name = lastHolder, let last = peers.first(where: { $0.name == name }) else {
            return "no holder; I rank first among the healthy nodes"
        }
        let silent = now - last.heardAt
        if !isAlive(last, now: now) {
            return "holder \(name) silent for \(silent.shortDescription) "
                + "(dead after \((deadline(of: last) - last.heardAt).shortDescription)); I rank next"
        }
        switch last.advert.role {
        case .fault: return "holder \(name) reports fault; I rank next"
        case .maintenance: return "holder \(name) went into maintenance; I rank next"
        case .holder where last.advert.maintenance: return "holder \(name) went into maintenance; I rank next"
        case .starting: return "holder \(name) restarted; I rank next"
        default: return "holder \(name) released the group; I rank next"
        }
    }
}
