import FloatIPCore

/// One group's mover on one simulated node in etcd mode, as the agent runs it: the agent's mover
/// queue (claims and releases one at a time, in order), the `EtcdFencedMover` around the local
/// mover, and its `EtcdElection`, whose rules are the core's election machine (`ElectionCampaign`,
/// `ElectionTenure`, `ElectionResignation`): the simulator drives the agent's code, not a copy.
/// Lost with the agent when the node crashes.
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
    /// A claim's campaign, while it runs.
    var campaign: ElectionCampaign?
    /// The epoch won, for the inner claim.
    var won: Int64 = 0
    /// A release's resignation, while it runs.
    var resignation: ElectionResignation?
}

/// The election's tenure: this node holds the key, as the machine keeps it.
struct SimTenure {
    var serial: Int
    var machine: ElectionTenure

    var epoch: Int64 { machine.createRevision }
    var deadline: Instant { machine.deadline }
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

/// What an etcd request's answer goes on to do (the machine that sent it).
enum SimEtcdContinuation {
    case campaign(op: Int)
    case resign(op: Int)
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
