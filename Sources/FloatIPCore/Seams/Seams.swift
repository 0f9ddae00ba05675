// The seams where the world plugs into the core. Each is small on purpose: the Linux layer,
// the cloud and DNS movers, the check runner, the etcd backend and the simulator implement them.

/// The monotonic clock the shells use to feed `Instant`s to the core.
public protocol AgentClock: Sendable {
    /// The current monotonic time.
    func now() -> Instant
    /// Wall-clock time in milliseconds since 1970, for boot ids and display only.
    func wallMilliseconds() -> UInt64
    /// Suspends until `deadline` (absolute, so a loop of sleeps does not drift).
    func sleep(until deadline: Instant) async throws
}

/// Who a mover says holds a group's addresses now.
public enum MoverHolder: Sendable, Equatable {
    /// This node.
    case this
    /// Another node or machine, named as the mover knows it (a server id, an address), if known.
    case other(String?)
    /// Nobody.
    case none
}

/// Moves a group's floating addresses to this node, or away from it.
///
/// Every operation is idempotent: claiming what is held, or releasing what is absent, succeeds
/// quietly. `epoch` is the claim term from the decision engine; movers that can fence (a
/// revision, a lease) use it to refuse a stale claim.
public protocol Mover: Sendable {
    /// Makes this node the holder of `group` and announces it where the medium needs that.
    func claim(_ group: GroupConfig, epoch: UInt64) async throws
    /// Gives up `group`; a mover whose provider has no detach says so in its documentation and returns.
    func release(_ group: GroupConfig, epoch: UInt64) async throws
    /// Re-announces a held group (gratuitous ARP / NA on a LAN; a no-op where nothing is announced).
    func announce(_ group: GroupConfig) async throws
    /// Asks the medium who holds `group` now.
    func holder(of group: GroupConfig) async throws -> MoverHolder
}

/// A mover whose addresses outlive a crashed agent for a while (the kernel keeps a local address
/// until its lifetime ends). An arbiter that grants holding for a limited time (an etcd lease)
/// tells it when the addresses must be gone by, so that they vanish on their own before anyone
/// else may take the group, even if this process is killed the next moment.
public protocol ExpiringMover: Mover {
    /// From now on, `group`'s addresses are added and renewed only with lifetimes that end by
    /// `instant` (the renewals are shortened as it nears, and stop once it is too near); nil
    /// lifts the bound. A later call replaces the bound.
    func bound(_ group: String, goneBy instant: ContinuousClock.Instant?) async
}

/// Carries peer datagrams. The real one is UDP unicast to each peer's own address; the simulator's
/// is a simulated network.
public protocol PacketTransport: Sendable {
    /// Sends one datagram to the named peer (best effort: loss is the protocol's problem). Never
    /// blocks: the agent sends from its decision loop.
    func send(_ datagram: [UInt8], to peer: String)
    /// Datagrams as they arrive, with the peer name the transport believes sent them, if any.
    func incoming() -> AsyncStream<(datagram: [UInt8], from: String?)>
}

/// The result of one run of one check.
public struct CheckResult: Sendable, Equatable {
    public var passed: Bool
    /// What a person needs to see: `HTTP 503 from http://127.0.0.1/health`, `exit 1: …`.
    public var detail: String
    public var duration: Duration

    public init(passed: Bool, detail: String, duration: Duration) {
        self.passed = passed
        self.detail = detail
        self.duration = duration
    }
}

/// Runs one health check once; scheduling and rise/fall live in the core (`Hysteresis`).
public protocol CheckRunner: Sendable {
    func run(_ check: CheckConfig) async -> CheckResult
}

/// How nodes learn each other's state. The heartbeat backend (peer datagrams) is the default;
/// an etcd backend (leases) comes later.
public protocol CoordinationBackend: Sendable {
    /// Publishes this node's current state to the cluster.
    func publish(_ heartbeat: Heartbeat) async
    /// Peer states as they arrive, each stamped with its arrival time.
    func observations() -> AsyncStream<PeerObservation>
}

/// One peer's state as this node received it.
public struct PeerObservation: Sendable, Equatable {
    public var heartbeat: Heartbeat
    public var receivedAt: Instant

    public init(heartbeat: Heartbeat, receivedAt: Instant) {
        self.heartbeat = heartbeat
        self.receivedAt = receivedAt
    }
}
