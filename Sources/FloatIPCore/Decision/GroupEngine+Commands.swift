// Inputs that are not observations: the mover's answer to a claim, and operator commands.
extension GroupEngine {
    /// The mover finished the claim of `epoch`: the addresses are in place. Peers waiting to
    /// release (make-before-break) do so when they hear it.
    public mutating func claimSucceeded(epoch: UInt64) {
        if role == .holder && epoch == term { active = true }
    }

    /// The mover could not claim `epoch`. The node gives the group up (so a peer can take it)
    /// and stays in fault for `retryAfter` before it may claim again.
    public mutating func claimFailed(epoch: UInt64, message: String, now: Instant, retryAfter: Duration)
        -> GroupDecision
    {
        guard role == .holder && epoch == term else { return GroupDecision(role: role, reason: reason, intents: []) }
        var intents: [Intent] = []
        let why = "claim failed: \(message)"
        moverFault = (why, now + retryAfter)
        eligibleSince = nil
        release(to: .fault, reason: "\(why); released, retry after \(retryAfter.shortDescription)", intents: &intents)
        intents.append(.notify(from: .holder, to: .fault))
        return GroupDecision(role: role, reason: reason, intents: intents)
    }

    /// The mover says a failed claim may be tried again now (under etcd: the key another node held
    /// is gone). Ends the claim-failure fault at once; the next `step` decides as usual, except that
    /// it skips the listen a node recovering from a fault keeps when it hears no peer (that guards
    /// against a node cut off from its peers; here the arbiter has just said the group is free, and
    /// the claim that follows is decided there). Returns false (and changes nothing) when no failed
    /// claim is waiting.
    public mutating func claimMayRetry() -> Bool {
        guard moverFault != nil else { return false }
        moverFault = nil
        retryingClaim = true
        return true
    }

    /// Why a switchover cannot start.
    public enum SwitchoverError: Error, Equatable, Sendable, CustomStringConvertible {
        case notHolder(group: String, holder: String?)
        case inProgress(target: String)
        case unknownTarget(String)
        case targetNotEligible(String)
        case targetIsSelf
        case noEligiblePeer(group: String)

        public var description: String {
            switch self {
            case .notHolder(let group, let holder):
                "this node does not hold \(group)" + (holder.map { "; \($0) does: run the switchover there" } ?? "")
            case .inProgress(let target): "a handover to \(target) is already in progress"
            case .unknownTarget(let name): "\(name) is not a live peer of this cluster"
            case .targetNotEligible(let name): "\(name) cannot take the group now (fault, maintenance or starting)"
            case .targetIsSelf: "this node already holds the group"
            case .noEligiblePeer(let group): "no healthy peer can take \(group) now"
            }
        }
    }

    /// Starts an operator's switchover (make-before-break): the target claims when it hears the
    /// handover, and this node releases once the target holds. Without a target, the best-ranked
    /// healthy peer. The target keeps the group against preemption (the move is sticky).
    /// Returns the target's name.
    @discardableResult
    public mutating func startSwitchover(to target: String?, peers: [PeerView], now: Instant) throws(SwitchoverError)
        -> String
    {
        let alive = peers.filter { isAlive($0, now: now) && $0.name != node }
        guard role == .holder else {
            throw .notHolder(group: group, holder: alive.first(where: \.holds)?.name)
        }
        if let handover { throw .inProgress(target: handover.target) }
        let chosen: PeerView
        if let target {
            if target == node { throw .targetIsSelf }
            guard let peer = alive.first(where: { $0.name == target }) else { throw .unknownTarget(target) }
            guard peer.advert.eligible else { throw .targetNotEligible(target) }
            chosen = peer
        } else {
            guard let best = bestEligible(alive) else { throw .noEligiblePeer(group: group) }
            chosen = best
        }
        handover = PendingHandover(target: chosen.name, sticky: true, since: now)
        reason = "switchover: handing over to \(chosen.name)"
        return chosen.name
    }

    /// The next instant at which the decision can change without any new input: a peer
    /// turning dead, the end of the start-up listen, a failback or a handover deadline.
    public func nextDeadline(peers: [PeerView], now: Instant) -> Instant? {
        var candidates: [Instant] = [startedAt + timers.startupListen]
        for peer in peers where peer.name != node { candidates.append(deadline(of: peer)) }
        if let eligibleSince { candidates.append(eligibleSince + timers.preemptDelay) }
        if let relistenUntil { candidates.append(relistenUntil) }
        if let staleUntil { candidates.append(staleUntil) }
        if let handover { candidates.append(handover.since + timers.handoverTimeout) }
        if let moverFault { candidates.append(moverFault.until) }
        for since in peerEligibleSince.values { candidates.append(since + timers.preemptDelay) }
        return candidates.filter { $0 > now }.min()
    }
}
