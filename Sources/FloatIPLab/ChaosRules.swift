import FloatIPCore

/// Every bound and allowed window the chaos judge applies, in one place, derived from the
/// documented behaviour (docs/decision.md, docs/linux.md) and the lab's timers, not from what the
/// agent happens to do today.
public struct ChaosRules: Sendable, Equatable {
    /// `interval × dead_after`: silence after which a peer counts as dead.
    public var deadInterval: Duration
    /// The lab's `preempt_delay`.
    public var preemptDelay: Duration
    /// The lab's `address_lifetime`.
    public var addressLifetime: Duration

    /// Make-before-break (decision.md rule 3, and failback, rule 4): the new holder claims, the old
    /// one releases when it hears the new one hold actively, a heartbeat or two later. Two holders
    /// for longer than this, outside every window below, is a violation. Allowed anywhere, because
    /// failbacks happen on their own (`preempt_delay` after a node recovers), not only when the tool
    /// moves the group. 10 samples of the observer: a few heartbeats plus scheduling on a loaded machine.
    public var makeBeforeBreakOverlap: Duration
    /// Partition heal (rule 5): of two holders that hear each other again, the lower-ranked releases
    /// as soon as it hears the other hold actively. During a loss burst or a partition two holders
    /// are allowed (unavoidable without a quorum: decision.md, limits), and for this long after it ends.
    public var partitionHeal: Duration
    /// The kernel deletes an address whose lifetime ran out on a timer rounded to a quarter second
    /// (linux.md: 1.00–1.17 s for a 1 s lifetime); the margin on top of `address_lifetime`.
    public var kernelExpirySlack: Duration
    /// A stalled (SIGSTOPped) or killed agent cannot release: its node keeps the address until the
    /// lifetime, counted from the last renewal (at or before the stop), runs out. A stalled node that
    /// resumes treats its view as stale (rule 8 of decision.md) and releases within a dead interval.
    /// So the stalled node is excused from `stop` to `stop + stallKeep` and from `resume` to
    /// `resume + staleRelease`; between `resume + staleRelease` and `resume + preempt_delay` it must
    /// not hold when a peer held during the stall (it fails back only by the normal rules).
    public var stallKeep: Duration { addressLifetime + kernelExpirySlack }
    /// How long after resuming a stalled node may still hold (see `stallKeep`).
    public var staleRelease: Duration

    /// Outage bound when the holder goes silent (link down, SIGKILL, a stall, a partition): the
    /// standby claims after the dead interval (rule 2); the lab tests' bound
    /// `interval × (dead_after + 2)` plus their 300 ms margin.
    public var silentHolderOutage: Duration
    /// Outage bound when the holder says it leaves (failing check, SIGTERM, maintenance,
    /// switchover) or the fault does not touch the holder: a peer claims on hearing it, or the move
    /// is make-before-break; two heartbeats plus the same 300 ms margin.
    public var announcedOutage: Duration
    /// After a fault is removed and the quiet gap has passed, one node must hold the address and
    /// answer the client within this (liveness).
    public var settleLimit: Duration

    /// Agents' resources, first sample vs last (each agent process judged once it has lived this long).
    public var resourceMinimumSpan: Duration
    /// Allowed growth of an agent's threads between its first and last sample.
    public var threadGrowth: Int
    /// Allowed growth of an agent's open descriptors (a peer socket or an API connection in flight;
    /// under etcd, one connection per member more).
    public var descriptorGrowth: Int
    /// Allowed RSS growth, in KiB: allocator warm-up and page-cache noise, not a leak.
    public var rssGrowthKiB: Int

    /// With `--etcd`: the etcd-mode rules, which replace the windows above (no two holders ever)
    /// and the outage bounds (`ChaosJudge.outageBound`).
    public var etcd: ChaosEtcdRules?

    /// The rules for a lab running `timers` (the lab's own settings for the rest), coordinated by
    /// etcd when `etcd` is given.
    public init(timers: Timers = Timers(), etcd: ChaosEtcdRules? = nil) {
        self.etcd = etcd
        deadInterval = timers.deadInterval
        preemptDelay = LabLayout.preemptDelay
        addressLifetime = LabLayout.addressLifetime
        // Under etcd every move is break-before-make: no overlap at all (ChaosEtcdRules).
        makeBeforeBreakOverlap = etcd == nil ? .milliseconds(100) + timers.interval * 5 : .zero
        partitionHeal = timers.deadInterval
        kernelExpirySlack = .milliseconds(500)
        staleRelease = timers.deadInterval
        silentHolderOutage = timers.interval * (timers.deadAfter + 2) + .milliseconds(300)
        announcedOutage = timers.interval * 2 + .milliseconds(300)
        settleLimit = .seconds(20)
        resourceMinimumSpan = .seconds(60)
        threadGrowth = 2
        // Under etcd an agent may also keep a connection to each member (its client rotates
        // through them as members die and come back, and watches stream on one): measured 30 → 33
        // over 69 s on a standby while members were killed, flat over 200 s on a holder.
        descriptorGrowth = 2 + (etcd?.members ?? 0)
        rssGrowthKiB = 8 * 1024
    }

    /// Margin at both ends of the stale-view window, for sampling and scheduling: the window starts
    /// this long after `resume + staleRelease` and ends this long before `resume + preempt_delay`.
    /// The end needs it because the tool records the resume after `kill(SIGCONT)` has returned,
    /// while the agent counts `preempt_delay` from its first input after the signal (the 1-hour
    /// soak saw a legitimate failback 1.998 s after the recorded resume, preempt_delay 2 s).
    public var staleViewMargin: Duration { .milliseconds(100) }

    /// The quiet gap after a fault is removed, before the tool checks that the cluster settled and
    /// draws the next fault: long enough for a returning node's start-up listen, its `preempt_delay`
    /// and the make-before-break failback, so one fault's consequences do not overlap the next.
    /// Under etcd one `ttl` more: a node that lost its key stays in fault for a `ttl` before it
    /// may claim or be handed the group back (docs/coordination.md).
    public var quietGap: Duration { preemptDelay + deadInterval * 3 + .seconds(1) + (etcd?.ttl ?? .zero) }
}
