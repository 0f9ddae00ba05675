/// This node's own condition for one group, as the shell measured it.
public struct LocalCondition: Sendable, Equatable {
    /// No required check of the group fails.
    public var healthy: Bool
    /// Why the node is unhealthy, in words (`required check nginx failing: HTTP 503`).
    public var faultReason: String?
    /// The effective priority: configured priority plus the weights of failing checks.
    public var priority: Int
    /// An operator put the node, or this group, in maintenance.
    public var maintenance: Bool

    public init(healthy: Bool = true, faultReason: String? = nil, priority: Int, maintenance: Bool = false) {
        self.healthy = healthy
        self.faultReason = faultReason
        self.priority = priority
        self.maintenance = maintenance
    }
}

/// A peer's latest statement about one group, and when this node received it.
public struct PeerView: Sendable, Equatable {
    public var name: String
    public var heardAt: Instant
    public var advert: GroupAdvert
    /// Set when the peer said it is a quiet standby: its next heartbeat is due within this, not
    /// within one interval (docs/decision.md, quiet standbys). Nil: it heartbeats every interval.
    public var quietPeriod: Duration?

    public init(name: String, heardAt: Instant, advert: GroupAdvert, quietPeriod: Duration? = nil) {
        self.name = name
        self.heardAt = heardAt
        self.advert = advert
        self.quietPeriod = quietPeriod
    }

    public var rank: Rank { Rank(priority: advert.priority, node: name) }

    /// Holds the group, or is claiming it.
    public var holds: Bool { advert.role == .holder }

    /// Holds the group and its claim has completed.
    public var holdsActively: Bool { advert.role == .holder && advert.active }

    /// Holds the group but is giving it away (maintenance, fault, or a handover in progress).
    public var isLeaving: Bool { holds && (advert.handover != nil || !advert.eligible) }
}
