/// One fault the chaos tool injects into the lab, as drawn from the seed (`ChaosPlan`).
public struct ChaosFault: Sendable, Equatable {
    /// What kind of fault.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// `ip link set eth0 down`, then up.
        case linkDown = "link-down"
        /// Drop a share (10–50 %) of the peer datagrams arriving at every node (nftables).
        case loss
        /// The target stops hearing one peer (nftables drops that peer's packets at its input);
        /// both ways when `twoWay`.
        case partition
        /// SIGSTOP of the target's agent, SIGCONT after the fault's duration.
        case stall
        /// SIGKILL of the target's agent, restarted after the fault's duration.
        case kill
        /// SIGTERM of the target's agent (it hands over and exits), restarted after the duration.
        case terminate
        /// The target's required `service` check fails for the duration.
        case failingCheck = "failing-check"
        /// `floatip maintenance on` on the target, `off` after the duration.
        case maintenance
        /// `floatip switchover` from the holder to the target.
        case switchover
        /// With `--etcd`: SIGKILL of one etcd member, or of two (the cluster loses its quorum),
        /// restarted after the fault's duration.
        case etcdKill = "etcd-kill"
        /// With `--etcd`: the target stops reaching every etcd member (nftables drops what it sends
        /// them, output hook); its peers still hear it.
        case etcdCut = "etcd-cut"

        /// The kinds of a run without etcd (also the order the plan shuffles them in, so that a
        /// seed draws what it drew before the etcd kinds existed).
        public static let peerKinds = allCases.filter { !$0.needsEtcd }

        /// Whether the kind needs the lab's etcd (`--etcd`).
        public var needsEtcd: Bool { self == .etcdKill || self == .etcdCut }
    }

    /// Which node a fault hits, resolved when it is injected (the holder changes as faults go by).
    public enum Target: Sendable, Equatable {
        /// The node holding the address then.
        case holder
        /// The `index`-th node (mod the count) among those not holding it.
        case other(Int)
    }

    public var kind: Kind
    public var target: Target
    /// How long the fault lasts before it is removed (zero for a switchover).
    public var duration: Duration
    /// For `loss`: the share of peer datagrams dropped, in percent.
    public var percent: Int = 0
    /// For `partition`: whether the other side stops hearing the target too.
    public var twoWay = false
    /// For `partition` on the holder: which of the other nodes it stops hearing (mod their count);
    /// for `etcdKill`, the first etcd member killed (mod the members).
    public var peerIndex = 0
    /// For `etcdKill`: how many members are killed (1, or 2 of 3: no quorum).
    public var members = 0

    public init(
        kind: Kind, target: Target, duration: Duration, percent: Int = 0, twoWay: Bool = false, peerIndex: Int = 0, members: Int = 0
    ) {
        self.kind = kind
        self.target = target
        self.duration = duration
        self.percent = percent
        self.twoWay = twoWay
        self.peerIndex = peerIndex
        self.members = members
    }
}

/// A fault as it happened: when it was injected and removed, on which node, and what the cluster
/// looked like then. Times are offsets from the start of the run.
public struct ChaosEvent: Sendable, Equatable {
    public var kind: ChaosFault.Kind
    /// The node it hit (1-based).
    public var node: Int
    /// For a partition, the peer the node stopped hearing; for a switchover, the old holder.
    public var peer: Int?
    /// Whether `node` held the address when the fault was injected.
    public var hitHolder: Bool
    /// When it was injected.
    public var start: Duration
    /// When it was removed (the same as `start` for a switchover).
    public var end: Duration
    /// When the cluster had settled after it (one holder answering), or when the tool gave up waiting.
    public var settled: Duration
    /// What was done, in words (`web2: drop 35 % of peer datagrams`).
    public var detail: String
    /// For `etcdKill`: how many etcd members were down.
    public var membersDown = 0

    public init(
        kind: ChaosFault.Kind, node: Int, peer: Int? = nil, hitHolder: Bool, start: Duration, end: Duration,
        settled: Duration, detail: String, membersDown: Int = 0
    ) {
        self.membersDown = membersDown
        self.kind = kind
        self.node = node
        self.peer = peer
        self.hitHolder = hitHolder
        self.start = start
        self.end = end
        self.settled = settled
        self.detail = detail
    }
}
