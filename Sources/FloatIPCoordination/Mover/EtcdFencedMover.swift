import FloatIPCore
import FloatIPLinux

/// A group's mover fenced by its etcd election: the addresses are claimed only while this node
/// holds the group's key, and removed as soon as it may no longer hold it.
///
/// - `claim` campaigns first (already holding is fine; a key held by another node throws
///   `EtcdElectionError.heldByOther`, so the engine's claim-failure path puts this node in fault
///   with backoff and the peer keeps the group), then claims the inner mover with the key's create
///   revision as its epoch (it grows with every new tenure, as the engine's term does with every claim).
/// - After a campaign lost to another node, the key is watched (and polled) until it goes; then
///   `onVacant` tells the agent to try its claim again at once instead of waiting out the
///   claim-failure backoff (the campaign that follows still decides).
/// - `release` releases the inner mover, then resigns (deletes the key if still ours, revokes the lease).
/// - When the tenure is lost while holding (lease gone, deadline passed, key deleted or taken), the
///   inner mover is released at once, before the lease can expire on the server, and `onFault`
///   reports the group in fault for `faultHold` (then clears it with a nil reason), so the engine
///   releases and its peers hear it.
///
/// An inner mover whose addresses outlive a killed agent (`ExpiringMover`: the local mover) is
/// told, at the claim and after each renewal, when the lease can first expire on the server; its
/// addresses vanish on their own before then (docs/coordination.md, "A killed holder").
///
/// Inner operations (claim, release, the release on loss) run one at a time, in order.
public actor EtcdFencedMover: Mover {
    public nonisolated let inner: any Mover
    public nonisolated let election: EtcdElection
    public nonisolated let group: GroupConfig
    /// How long a lost tenure keeps the group in fault: long enough for the old lease to have
    /// expired on the server, so that the key is free for whoever campaigns next.
    public nonisolated let faultHold: Duration
    private let onFault: @Sendable (_ group: String, _ reason: String?) async -> Void
    private let onVacant: @Sendable (_ group: String) async -> Void
    /// Waits for another node's key to go, after a lost campaign.
    private var vacancyWatch: Task<Void, Never>?
    private var vacancySerial = 0
    private let gate = SerialGate()
    /// The create revision the inner mover holds the group with (its epoch); nil when it does not hold it.
    private var claimedRevision: UInt64?
    private var faultClear: Task<Void, Never>?

    /// Fences `inner` for `group` with `election`. `onFault(group, reason)` reports a lost tenure
    /// (reason) and, `faultHold` later, its end (nil). `onVacant(group)` reports that the key another
    /// node held when this node's campaign lost is gone.
    public init(
        inner: any Mover, group: GroupConfig, election: EtcdElection, faultHold: Duration? = nil,
        onFault: @escaping @Sendable (_ group: String, _ reason: String?) async -> Void,
        onVacant: @escaping @Sendable (_ group: String) async -> Void = { _ in }
    ) {
        self.inner = inner
        self.group = group
        self.election = election
        self.faultHold = faultHold ?? election.ttl
        self.onFault = onFault
        self.onVacant = onVacant
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        let bounded = inner as? any ExpiringMover
        let name = group.name
        stopWatchingForVacancy()
        let revision: Int64
        do {
            // Patience: in a planned move (break-before-make) this node hears the handover while
            // the old holder is still releasing and resigning.
            revision = try await election.campaign(
                patience: election.renewInterval,
                onRenewed: { leaseEnd in await bounded?.bound(name, goneBy: Instant(leaseEnd)) },
                onLost: { [weak self] reason in await self?.tenureLost(reason) })
        } catch let error as EtcdElectionError {
            if case .heldByOther(_, _, let theirs) = error { watchForVacancy(heldSince: theirs) }
            throw error
        }
        try await gate.run {
            // The tenure may have ended while this claim waited for the gate.
            guard await self.election.createRevision == revision,
                let leaseEnd = await self.election.leaseEndsNoEarlier
            else {
                throw EtcdElectionError.tooSlow(key: self.election.key, after: self.election.ttl)
            }
            // Addresses that outlive a killed agent must vanish before the lease can expire.
            await bounded?.bound(name, goneBy: Instant(leaseEnd))
            try await self.inner.claim(group, epoch: UInt64(revision))
            await self.setClaimed(UInt64(revision))
        }
    }

    /// Releases the inner mover, then resigns. A failed inner release is reported after resigning
    /// anyway: the movers bound an address left behind (kernel lifetime, the next holder's claim
    /// moves a cloud address), while a key kept here would stop every peer from taking over.
    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        var failure: (any Error)?
        do {
            try await gate.run {
                let used = await self.takeClaimed() ?? epoch
                try await self.inner.release(group, epoch: used)
            }
        } catch {
            failure = error
        }
        try await election.resign()
        if let failure { throw failure }
    }

    public func announce(_ group: GroupConfig) async throws {
        try await inner.announce(group)
    }

    /// Who holds the group's key in etcd.
    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        guard let value = try await election.holder() else { return .none }
        return value.value == election.name ? .this : .other(value.value)
    }

    /// Whether the inner mover holds the group now (for status and tests).
    public var innerHolds: Bool { claimedRevision != nil }

    private func setClaimed(_ revision: UInt64) { claimedRevision = revision }

    private func takeClaimed() -> UInt64? {
        defer { claimedRevision = nil }
        return claimedRevision
    }

    /// Stops waiting for the key to go (this node campaigns again, or shuts down).
    public func stopWatchingForVacancy() {
        vacancyWatch?.cancel()
        vacancyWatch = nil
    }

    /// Whether this node waits for another node's key to go (for tests).
    public var watchingForVacancy: Bool { vacancyWatch != nil }

    /// Starts waiting for the key another node holds since `revision` to go; reports it through `onVacant`.
    private func watchForVacancy(heldSince revision: Int64) {
        vacancyWatch?.cancel()
        vacancySerial += 1
        let serial = vacancySerial
        let election = self.election
        let name = group.name
        let onVacant = self.onVacant
        vacancyWatch = Task { [weak self] in
            do { try await election.waitUntilVacant(heldSince: revision) } catch { return }
            guard await self?.vacancyFound(serial) == true else { return }
            await onVacant(name)
        }
    }

    /// Ends watch `serial` if it is still the current one (a newer campaign replaces it).
    private func vacancyFound(_ serial: Int) -> Bool {
        guard serial == vacancySerial, vacancyWatch != nil else { return false }
        vacancyWatch = nil
        return true
    }

    /// The tenure ended without a resign: remove the addresses now, then report the fault.
    private func tenureLost(_ reason: String) async {
        var outcome = "released"
        do {
            try await gate.run {
                guard let revision = await self.takeClaimed() else { return }
                try await self.inner.release(self.group, epoch: revision)
            }
        } catch {
            outcome = "release failed: \(error)"
        }
        await onFault(group.name, "lost etcd key \(election.key): \(reason); \(outcome)")
        faultClear?.cancel()
        let hold = faultHold
        let name = group.name
        let onFault = self.onFault
        faultClear = Task {
            do { try await Task.sleep(for: hold) } catch { return }
            await onFault(name, nil)
        }
    }
}
