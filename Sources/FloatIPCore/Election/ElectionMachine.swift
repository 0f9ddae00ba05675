/// One group's election in etcd as a pure machine: its settings and the rules shared by its
/// phases (`ElectionCampaign`, `ElectionTenure`, `ElectionResignation`). Each phase takes etcd's
/// replies and the time (the core's `Instant`) and says which request to send next, with its
/// time limit, or what was decided; it does no I/O and reads no clock. The agent's `EtcdElection`
/// and the simulator's etcd mode both drive these phases (docs/coordination.md, docs/simulator.md).
public struct ElectionMachine: Sendable, Equatable {
    /// The group's key: `<prefix>/<cluster>/<group>`.
    public let key: String
    /// This node's name: the key's value while it holds.
    public let name: String
    /// The lease's TTL (whole seconds, as etcd takes it).
    public let ttl: Duration
    /// How long before the lease could expire on the server the holder gives up.
    public let margin: Duration

    /// `margin` defaults to a fifth of the TTL, at least 500 ms.
    public init(key: String, name: String, ttl: Duration, margin: Duration? = nil) {
        self.key = key
        self.name = name
        self.ttl = ttl
        self.margin = margin ?? Self.defaultMargin(ttl: ttl)
    }

    /// A fifth of the TTL, at least 500 ms.
    public static func defaultMargin(ttl: Duration) -> Duration { max(ttl / 5, .milliseconds(500)) }

    /// How often the holder renews; also each renewal's time limit.
    public var renewInterval: Duration { ttl / 3 }

    /// What is wrong with the key as read (nil: still ours, from `createRevision`).
    public func problem(with value: ElectionKeyValue?, createRevision: Int64) -> String? {
        guard let value else { return "its key is gone" }
        guard value.createRevision == createRevision else {
            return "its key was created again by \(value.value) (revision \(value.createRevision), "
                + "ours was \(createRevision))"
        }
        guard value.value == name else { return "its key now names \(value.value)" }
        return nil
    }
}
