// The seams where the world plugs into the core: the clock the agent reads, and the movers (the
// Linux layer's local mover, the cloud and DNS movers, the etcd-fenced mover). Each is small on purpose.

/// The monotonic clock the shells use to feed `Instant`s to the core.
public protocol AgentClock: Sendable {
    /// The current monotonic time.
    func now() -> Instant
    /// Wall-clock time in milliseconds since 1970, for boot ids and display only.
    func wallMilliseconds() -> UInt64
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
    /// One line saying what a claim of `group` did, `took` long, in the mover's own terms (for
    /// `floatip mover claim`; `Mover+Summary.swift` has the default).
    func claimSummary(of group: GroupConfig, took: Duration) -> String
    /// What the medium shows for `group` besides who holds it (a DNS record's content), for
    /// `floatip mover holder`; nil when there is nothing more to say.
    func holderSummary(of group: GroupConfig) -> String?
}

/// A mover whose addresses outlive a crashed agent for a while (the kernel keeps a local address
/// until its lifetime ends). An arbiter that grants holding for a limited time (an etcd lease)
/// tells it when the addresses must be gone by, so that they vanish on their own before anyone
/// else may take the group, even if this process is killed the next moment.
public protocol ExpiringMover: Mover {
    /// From now on, `group`'s addresses are added and renewed only with lifetimes that end by
    /// `instant` (the renewals are shortened as it nears, and stop once it is too near); nil
    /// lifts the bound. A later call replaces the bound. `instant` is on the process's monotonic
    /// timeline (the Linux module maps `ContinuousClock` onto it), the agent's clock's too.
    func bound(_ group: String, goneBy instant: Instant?) async
}

/// A mover that can change a held group in place (a reload): addresses added or removed, their
/// lifetime, the announcements, while the addresses that stay never leave.
public protocol ReshapingMover: Mover {
    /// `group`, held here as `old`, becomes `group`: the addresses only `group` has are added and
    /// announced, those only `old` had are removed, the others stay (renewed with `group`'s
    /// lifetime). Does nothing when the group is not held here (the next claim uses `group`).
    func reshape(_ group: GroupConfig, from old: GroupConfig, epoch: UInt64) async throws
}
