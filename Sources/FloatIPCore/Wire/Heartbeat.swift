/// One peer datagram: a node's state for every group it is in. Sent once per interval and at
/// once on every role change. Encoded by `HeartbeatCodec` (docs/protocol.md).
public struct Heartbeat: Sendable, Equatable {
    /// The cluster's name; a datagram for another cluster is rejected.
    public var cluster: String
    /// The sending node's name.
    public var sender: String
    /// Identifies one run of the sender's agent; grows across restarts (wall-clock milliseconds at start).
    public var bootID: UInt64
    /// Counts datagrams within one boot, from 1.
    public var sequence: UInt64
    /// The sender's heartbeat interval (so a receiver can report a timer mismatch).
    public var interval: Duration
    public var groups: [GroupAdvert]
    /// The sender's next heartbeat is due within `spacing` intervals (1: every interval; more: a
    /// quiet standby, docs/protocol.md). Nil for a kind-1 datagram, whose sender does not space its
    /// heartbeats (an earlier release): it sends every interval and cannot read spaced ones.
    public var spacing: Int?

    public init(
        cluster: String, sender: String, bootID: UInt64, sequence: UInt64, interval: Duration, groups: [GroupAdvert],
        spacing: Int? = nil
    ) {
        self.cluster = cluster
        self.sender = sender
        self.bootID = bootID
        self.sequence = sequence
        self.interval = interval
        self.groups = groups
        self.spacing = spacing
    }

    /// How long after this heartbeat the sender's next one is due at the latest.
    public var period: Duration { interval * (spacing ?? 1) }

    /// The period of a quiet standby (spacing above 1); nil for a sender that heartbeats every interval.
    public var quietPeriod: Duration? { (spacing ?? 1) > 1 ? period : nil }
}

/// What a node says about itself for one group.
public struct GroupAdvert: Sendable, Equatable {
    public var group: String
    public var role: Role
    /// Effective priority: the configured one plus the weights of failing checks, clamped to 0–255.
    public var priority: Int
    /// No required check fails.
    public var healthy: Bool
    /// An operator put the node (or this group) in maintenance.
    public var maintenance: Bool
    /// A holder whose claim has completed: the addresses are in place and announced.
    public var active: Bool
    /// A holder placed by an operator's switchover: others do not preempt it.
    public var sticky: Bool
    /// Set while a holder hands the group to another node (make-before-break).
    public var handover: Handover?
    /// The claim term (fencing epoch): one more than the highest term seen, at each claim.
    public var term: UInt64

    public init(
        group: String, role: Role, priority: Int, healthy: Bool = true, maintenance: Bool = false,
        active: Bool = false, sticky: Bool = false, handover: Handover? = nil, term: UInt64 = 0
    ) {
        self.group = group
        self.role = role
        self.priority = priority
        self.healthy = healthy
        self.maintenance = maintenance
        self.active = active
        self.sticky = sticky
        self.handover = handover
        self.term = term
    }

    /// Whether the sender could hold the group: healthy, not in maintenance, past its start.
    public var eligible: Bool { healthy && !maintenance && (role == .standby || role == .holder) }
}

/// A handover in progress: the holder will release once `target` holds actively.
public struct Handover: Sendable, Equatable {
    public var target: String
    /// True for an operator's switchover (the target keeps the group against preemption);
    /// false for maintenance or a clean stop.
    public var sticky: Bool

    public init(target: String, sticky: Bool) {
        self.target = target
        self.sticky = sticky
    }
}
