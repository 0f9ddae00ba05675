/// The decision engine for one group on one node: a pure state machine.
///
/// Inputs are this node's condition, what peers last said (with arrival times) and `now`;
/// outputs are the role, the intents and a reason a person can read. No I/O, no clock reads.
/// The rules are docs/decision.md's numbered rules; each has a named test in
/// Tests/FloatIPCoreTests/GroupEngineTests.swift.
public struct GroupEngine: Sendable {
    public let group: String
    public let node: String
    public internal(set) var preempt: Bool
    public internal(set) var timers: Timers
    /// The medium lets only one node hold at a time (`coordination: etcd`: a claim fails while
    /// another node holds the key), so planned moves are break-before-make: the holder releases
    /// first and names the target in its heartbeat, and a failback is started by the holder
    /// (GroupEngine+Exclusive.swift).
    public let exclusive: Bool

    public internal(set) var role: Role = .starting
    public internal(set) var reason: String
    /// The claim term (fencing epoch) of this node's current or last claim.
    public internal(set) var term: UInt64 = 0
    /// The claim has completed: the addresses are in place.
    public internal(set) var active = false
    /// Placed here by an operator's switchover: peers do not preempt it.
    public internal(set) var sticky = false
    /// A handover this holder has started (make-before-break).
    public internal(set) var handover: PendingHandover?

    let startedAt: Instant
    /// Since when this node has been able to hold the group (healthy, no maintenance, past start).
    var eligibleSince: Instant?
    /// Set when the node recovers from a fault having heard no peer for a dead interval: it was
    /// likely cut off (its own link down), so that silence proves nothing; until then it does not
    /// claim over silent peers.
    var relistenUntil: Instant?
    /// A failed claim keeps the node in fault until then.
    var moverFault: (reason: String, until: Instant)?
    /// Set by `claimMayRetry` for the next `step`: the end of that fault needs no re-listen.
    var retryingClaim = false
    /// Other holders seen while this node holds (worse-ranked ones, or a better-ranked one still
    /// claiming): a change re-announces.
    var conflicting: Set<String> = []
    /// The highest peer claim term this holder has announced over (see `resolveConflicts`).
    var overtakenTerm: UInt64 = 0
    /// Why this node claimed, shown while it holds without trouble.
    var claimReason = ""
    /// The last peer seen holding the group, to explain a takeover.
    var lastHolder: String?
    /// Intents queued outside `step` (start-up cleanup), delivered with the next decision.
    var pending: [Intent]
    /// Exclusive mode: since when this holder has heard each alive peer eligible, without a break
    /// (the holder starts a failback once a better-ranked peer has been so for `preempt_delay`).
    var peerEligibleSince: [String: Instant] = [:]
    /// After a stall: until then the node listens before it asserts anything (GroupEngine+Stall.swift).
    var staleUntil: Instant?
    /// How long the last stall lasted, for reasons.
    var stallLength = Duration.zero
    /// The node held the group from before its stall and has not yet listened since: its heartbeat
    /// says "claiming", not "holds actively".
    var staleHold = false

    /// A handover in progress on the holder.
    public struct PendingHandover: Sendable, Equatable {
        public var target: String
        /// True for an operator's switchover; false for maintenance.
        public var sticky: Bool
        public var since: Instant
    }

    /// A new engine; it starts in `starting` and first asks to release leftovers of an earlier run.
    public init(
        group: String, node: String, preempt: Bool, timers: Timers, startedAt: Instant, exclusive: Bool = false
    ) {
        self.group = group
        self.node = node
        self.preempt = preempt
        self.timers = timers
        self.exclusive = exclusive
        self.startedAt = startedAt
        self.reason = "starting: listening for \(timers.startupListen.shortDescription) before any claim"
        self.pending = [.release(epoch: 0)]
    }

    /// Evaluates the group: the one entry point the shell calls on every tick and datagram.
    public mutating func step(local: LocalCondition, peers: [PeerView], now: Instant) -> GroupDecision {
        let before = role
        var intents = pending
        pending = []
        let alive = peers.filter { isAlive($0, now: now) && $0.name != node }
        rememberHolder(alive)
        expireStaleView(now: now)

        let condition = eligibility(local, now: now)
        let retrying = retryingClaim
        retryingClaim = false
        if case .eligible = condition {
            if eligibleSince == nil {
                eligibleSince = now
                if before == .fault, !retrying, alive.isEmpty, peers.contains(where: { $0.name != node }) {
                    relistenUntil = now + timers.deadInterval
                }
            }
        } else {
            eligibleSince = nil
        }

        if role == .holder {
            stepHolding(condition, local: local, alive: alive, now: now, intents: &intents)
        } else {
            stepNotHolding(condition, local: local, alive: alive, peers: peers, now: now, intents: &intents)
        }
        if role != before { intents.append(.notify(from: before, to: role)) }
        return GroupDecision(role: role, reason: reason, intents: intents)
    }

    /// What this node says about the group in its heartbeat.
    public func advert(local: LocalCondition) -> GroupAdvert {
        GroupAdvert(
            group: group, role: role, priority: min(max(local.priority, 0), 255), healthy: local.healthy,
            maintenance: local.maintenance, active: role == .holder && active && !staleHold, sticky: role == .holder && sticky,
            handover: handover.map { Handover(target: $0.target, sticky: $0.sticky) }, term: term)
    }

    // MARK: - Shared helpers

    /// Whether this node may hold the group now, and if not, why.
    enum Eligibility {
        case eligible
        case starting(left: Duration)
        case fault(String)
        case maintenance
    }

    func eligibility(_ local: LocalCondition, now: Instant) -> Eligibility {
        let listenEnd = startedAt + timers.startupListen
        if now < listenEnd { return .starting(left: listenEnd - now) }
        if !local.healthy { return .fault(local.faultReason ?? "unhealthy") }
        if let moverFault, now < moverFault.until {
            return .fault(moverFault.reason)
        }
        if local.maintenance { return .maintenance }
        return .eligible
    }

    /// Until when `peer` counts as alive without another heartbeat (`Timers.deadBound`).
    public func deadline(of peer: PeerView) -> Instant {
        peer.heardAt + timers.deadBound(quietPeriod: peer.quietPeriod)
    }

    /// Whether `peer` was heard recently enough to count as alive at `now`.
    public func isAlive(_ peer: PeerView, now: Instant) -> Bool { now < deadline(of: peer) }

    mutating func rememberHolder(_ alive: [PeerView]) {
        if let holder = alive.filter({ $0.holds }).max(by: { $0.rank < $1.rank }) { lastHolder = holder.name }
    }

    /// Takes the group: a new term above every term seen, and a claim intent.
    mutating func claim(peers: [PeerView], sticky: Bool, reason: String, intents: inout [Intent]) {
        term = max(term, peers.map(\.advert.term).max() ?? 0) + 1
        role = .holder
        active = false
        self.sticky = sticky
        handover = nil
        conflicting = []
        staleHold = false
        self.reason = reason
        claimReason = reason
        intents.append(.claim(epoch: term))
    }

    /// Gives the group up and moves to `newRole`.
    mutating func release(to newRole: Role, reason: String, intents: inout [Intent]) {
        intents.append(.release(epoch: term))
        role = newRole
        active = false
        sticky = false
        handover = nil
        conflicting = []
        staleHold = false
        self.reason = reason
    }

    /// The role and reason for a node that is not eligible and does not hold.
    mutating func settle(_ condition: Eligibility) {
        switch condition {
        case .eligible: break
        case .starting:
            role = .starting
            reason = "starting: listening for \(timers.startupListen.shortDescription) before any claim"
        case .fault(let why):
            role = .fault
            reason = why
        case .maintenance:
            role = .maintenance
            reason = "maintenance: set by operator"
        }
    }
}
