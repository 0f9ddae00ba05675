import FloatIPCore

/// The judge's rules for a run with `--etcd`, derived from docs/coordination.md and the agents'
/// `coordination:` (its `ttl`), not from what the agents happen to do.
///
/// Under etcd a node holds a group only while it holds the group's key under a live lease, and
/// every move is break-before-make, fenced by that lease: the holder removes its addresses before
/// its lease can expire on the server (a killed or stalled holder's addresses carry a kernel
/// lifetime that ends, 500 ms of kernel slack included, before that instant), and only then can
/// another node win the key. So **two holders are never allowed**: not for a make-before-break
/// overlap, not during a partition or a loss burst (etcd, not the peers, decides), not for a
/// stalled or killed holder. The outages are the lease's, not the heartbeats'.
public struct ChaosEtcdRules: Sendable, Equatable {
    /// The agents' `coordination.ttl`.
    public var ttl: Duration
    /// How many members the lab's etcd has.
    public var members: Int
    /// etcd's election timeout: the lab starts its members with etcd's default (`LabEtcd`).
    public var electionTimeout: Duration = .seconds(1)
    /// The lab's margin on every outage bound (the same 300 ms as without etcd).
    public var margin: Duration = .milliseconds(300)

    public init(ttl: Duration, members: Int) {
        self.ttl = ttl
        self.members = members
    }

    /// The holder gone silent or cut off from etcd (SIGKILL, a stall, link down, `etcd-cut`): its
    /// key lasts up to `ttl` + 0.5 s after its last renewal (etcd checks expiries every 500 ms),
    /// then a standby watching the key campaigns and claims: coordination.md's `ttl` + 1 s.
    public var leaseFailover: Duration { ttl + .seconds(1) + margin }

    /// A planned move or an announced leave (maintenance, switchover, SIGTERM, a failing check), a
    /// failback, and a fault away from the holder (whose consequence can be a failback): the holder
    /// releases, resigns and says so; the next node campaigns on hearing it and polls the key for
    /// up to `ttl / 3` while the old holder is still resigning. Two heartbeats and that patience.
    public func handover(announced: Duration) -> Duration { announced + ttl / 3 }

    /// After a lost leader or a member's restart, etcd elects a leader within an election timeout
    /// or two (measured 0.9–2.3 s with the lab's cluster); three allow for a loaded machine.
    public var recovery: Duration { electionTimeout * 3 }

    /// Whether `down` members of `members` leave the cluster without a quorum.
    public func quorumLost(_ down: Int) -> Bool { down * 2 >= members }

    /// Killed etcd members, down for `down`: with its quorum, only a lost leader matters; the
    /// holder keeps its key when the others elect one before its local deadline, else it releases
    /// (safe, a flap). Without a quorum nobody can renew or claim until a member is back. Either
    /// way the holder's lease, if its best-effort revoke found no leader, lives on until `ttl` plus
    /// an election timeout after a leader is back (etcd extends every lease on a leader change),
    /// then the failover above: the time without quorum + `recovery` + `ttl` + an election timeout + 1 s.
    public func memberKillOutage(down: Duration, membersDown: Int) -> Duration {
        (quorumLost(membersDown) ? down : .zero) + recovery + electionTimeout + leaseFailover
    }
}
