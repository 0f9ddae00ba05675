import FloatIPCore

/// One group's mover on one simulated node in etcd mode, as the agent runs it: the agent's mover
/// queue (claims and releases one at a time, in order), the `EtcdFencedMover` around the local
/// mover, and its `EtcdElection`. Lost with the agent when the node crashes.
struct SimFencedMover {
    /// Operations the engine asked for that wait for the one running.
    var waiting: [SimMoverOp] = []
    var running: SimMoverOp?
    /// This node holds the key (as it believes: the election's tenure).
    var tenure: SimTenure?
    /// The etcd epoch the inner (local) mover holds the group with; nil when it does not.
    var claimedEpoch: UInt64?
    /// An inner claim is under way (the fenced mover's gate is busy).
    var innerClaiming = false
    /// A lost tenure's release waits for the inner claim to finish (the gate), with its reason.
    var lossWaiting: String?
    /// The coordination fault (`AgentCore.setCoordinationFault`) after a lost tenure, and the
    /// generation of its scheduled end.
    var fault: String?
    var faultGeneration = 0
    /// The local mover's bound: the lease's earliest server expiry; addresses must be gone by then.
    var bound: Instant?
}

/// One operation of the agent's mover queue, with where it is.
struct SimMoverOp {
    enum Kind {
        case claim(epoch: UInt64)
        case release(epoch: UInt64)
    }

    var id: Int
    var kind: Kind
    /// Campaign: when it started (it is decided within `ttl`), which attempt, when the grant was sent.
    var campaignStart = Instant.zero
    var attempt = 0
    var grantSent = Instant.zero
    /// The epoch won, for the inner claim.
    var won: Int64 = 0
    /// Patience: the key was found held by `patienceHolder` (create revision `patienceRevision`);
    /// polled from `patienceStart` for its deletion, once per campaign.
    var patienceWaited = false
    var patienceStart = Instant.zero
    var patienceRevision: Int64 = 0
    var patienceHolder = ""
}

/// The election's tenure: this node holds the key since `epoch`, under `lease`.
struct SimTenure {
    var serial: Int
    var lease: Int64
    var epoch: Int64
    /// The send time of the last successful renewal + TTL − margin.
    var deadline: Instant
    var lastRenewalSent: Instant
    /// The send time of the last successful renewal + TTL: the earliest the server can expire the lease.
    var leaseEndsNoEarlier: Instant
    /// The renew loop: when it sends next, and whether the last renewal failed (it then tries twice as often).
    var next: Instant
    var failing = false
}

/// A group's addresses on a server in etcd mode: added with a kernel lifetime, they outlive a
/// crashed agent until it ends (plus the kernel's slack).
struct SimAddressLife {
    /// The etcd epoch they were added under.
    var epoch: UInt64 = 0
    /// When the kernel deletes them unless renewed.
    var expiry: Instant?
    /// Retires the expiry events of earlier lifetimes.
    var generation = 0
}

/// What an etcd request's answer goes on to do (the rest of the async function that sent it).
enum SimEtcdContinuation {
    case campaignGrant(op: Int)
    case campaignCreate(op: Int, lease: Int64, ttl: Duration)
    case clearStale(op: Int, staleLease: Int64)
    case resignDelete(op: Int, lease: Int64)
    case resignRevoke(op: Int, lease: Int64)
    case resignGet(op: Int)
    case patienceGet(op: Int)
    case resignStaleDelete(op: Int, lease: Int64)
    case resignStaleRevoke(op: Int)
    case renew(serial: Int, sent: Instant)
    case poll(serial: Int)
    /// Nobody waits (a revoke in the background).
    case none
}

/// An etcd request waiting for its answer or its time limit.
struct SimEtcdCall {
    var node: Int
    var boot: Int
    var group: Int
    var then: SimEtcdContinuation
}

/// Everything etcd mode adds to the world: the server, the links to it, the calls in flight.
struct SimEtcdWorld {
    let settings: SimulatedEtcdSettings
    var server: SimulatedEtcd
    /// Nodes whose link to etcd is cut.
    var cut: Set<Int> = []
    /// Extra one-way latency (etcd slow).
    var slow = Duration.zero
    var pending: [Int: SimEtcdCall] = [:]
    /// One counter for request ids, operation ids, tenure serials and fault generations: ids never repeat.
    var counter = 0
    var checker: EtcdInvariantChecker

    init(settings: SimulatedEtcdSettings, groups: Int, timers: Timers) {
        self.settings = settings
        server = SimulatedEtcd(promoteExtension: settings.promoteExtension)
        checker = EtcdInvariantChecker(groups: groups, bound: settings.livenessBound(timers))
    }

    mutating func nextID() -> Int {
        counter += 1
        return counter
    }

    /// No node is cut off, etcd is up and answers at its normal speed.
    var healthy: Bool { server.up && cut.isEmpty && slow == .zero }

    static func key(_ group: Int) -> String { "/floatip/sim/g\(group + 1)" }
}
