import FloatIPCore

/// One group's election in etcd: whoever holds the key `<prefix>/<cluster>/<group>` under a live
/// lease holds the group. The key's create revision names the tenure (it grows with every new
/// holder, so movers can refuse a stale one: the fenced mover passes it to its inner mover as the epoch).
///
/// - **Campaign**: grant a lease of `ttl`, then one transaction: if the key is absent, create it
///   with this node's name under the lease.
/// - **Hold**: renew the lease every `ttl / 3`, each request bounded by `ttl / 3`, and keep a
///   local deadline: the send time of the last successful renewal + `ttl` − `margin`. etcd lets a
///   lease expire no earlier than `ttl` after the renewal *arrived*, so the deadline passes at
///   least `margin` before the key can vanish on the server.
/// - **Lose**: when the deadline passes, a renewal answers without a TTL (the lease is gone), or
///   the watch (or the poll after each renewal) sees the key deleted or created again by someone
///   else, the tenure ends at once and `onLost` is called with the reason.
/// - **Resign**: delete the key if its create revision is still ours, then revoke the lease.
public actor EtcdElection {
    public nonisolated let client: EtcdClient
    public nonisolated let key: String
    /// This node's name: the key's value while it holds.
    public nonisolated let name: String
    public nonisolated let ttl: Duration
    /// How long before the lease could expire on the server the holder gives up.
    public nonisolated let margin: Duration

    private var tenure: Tenure?
    private var keeper: Task<Void, Never>?
    private var serial = 0
    /// The last renewal failure, and the last loss, for status and tests.
    public private(set) var lastRenewalError: String?
    public private(set) var lastLoss: String?

    /// The current tenure: this node holds the key.
    struct Tenure {
        var serial: Int
        var lease: Int64
        var createRevision: Int64
        var deadline: ContinuousClock.Instant
        var lastRenewalSent: ContinuousClock.Instant
        /// The earliest the lease can expire on the server: the last renewal's send time + its TTL.
        var leaseEndsNoEarlier: ContinuousClock.Instant
        var onRenewed: @Sendable (ContinuousClock.Instant) async -> Void
        var onLost: @Sendable (String) async -> Void
    }

    /// An election for `key`; `ttl` is whole seconds (at least 3 s: etcd's minimum with its default
    /// election timeout). `margin` defaults to a fifth of the TTL, at least 500 ms.
    public init(client: EtcdClient, key: String, name: String, ttl: Duration, margin: Duration? = nil) {
        self.client = client
        self.key = key
        self.name = name
        self.ttl = ttl
        self.margin = margin ?? max(ttl / 5, .milliseconds(500))
    }

    /// How often the holder renews; also each renewal's time limit.
    public nonisolated var renewInterval: Duration { ttl / 3 }

    /// The key's create revision while this node holds the key, by its local deadline.
    public var createRevision: Int64? {
        guard let tenure, ContinuousClock.now < tenure.deadline else { return nil }
        return tenure.createRevision
    }

    /// The lease of the current tenure, if any.
    public var lease: Int64? { tenure?.lease }

    /// When the last successful renewal (or the grant) was sent, in the current tenure.
    public var lastRenewalSent: ContinuousClock.Instant? { tenure?.lastRenewalSent }

    /// The earliest instant etcd can expire the current tenure's lease (and so delete the key and
    /// let another node win it): the last successful renewal's (or the grant's) send time + its
    /// TTL, since etcd counts the TTL from the request's arrival. What this node holds only while
    /// it holds the key must be gone by then even if it is killed (`ExpiringMover`).
    public var leaseEndsNoEarlier: ContinuousClock.Instant? { tenure?.leaseEndsNoEarlier }

    /// Who holds the key now, as etcd says.
    public func holder() async throws -> EtcdKeyValue? {
        try await client.get(key, timeout: ttl)
    }

    // MARK: Campaign

    /// Campaigns for the key: its create revision when this node holds it (already, or now). Throws
    /// `EtcdElectionError` (`heldByOther` names the holder and its revision). Decided within `ttl`;
    /// `onLost` is called (on its own task) if the tenure that this starts ends other than by `resign`;
    /// `onRenewed` after each successful renewal of it, with the new `leaseEndsNoEarlier`.
    ///
    /// With `patience`, a key held by another node is polled for up to that
    /// long (every 5 ms for 200 ms, then every 50 ms) and the campaign tried once more when it goes: in a planned move the old holder
    /// releases and resigns while the target, told by its heartbeat, already campaigns.
    public func campaign(
        patience: Duration = .zero,
        onRenewed: @escaping @Sendable (_ leaseEndsNoEarlier: ContinuousClock.Instant) async -> Void = { _ in },
        onLost: @escaping @Sendable (_ reason: String) async -> Void
    ) async throws -> Int64 {
        if let createRevision { return createRevision }
        if let tenure { await lose(tenure.serial, "its local deadline passed") }
        let start = ContinuousClock.now
        var waited = false
        for attempt in 0..<3 {
            let outcome = try await tryCreate(start: start)
            switch outcome {
            case .won(let createRevision, let lease, let sent, let granted):
                return begin(
                    createRevision: createRevision, lease: lease, sent: sent, granted: granted, onRenewed: onRenewed,
                    onLost: onLost)
            case .held(let holder) where holder?.value == name && attempt == 0:
                // Ours, from an earlier run of this node (a restart within the TTL): clear it, try again.
                if let holder { await clearStale(holder, start: start) }
            case .held(let holder) where !waited && patience > .zero:
                waited = true
                if try await awaitDeletion(of: holder, for: min(patience, ttl / 2)) { continue }
                fallthrough
            case .held(let holder):
                throw EtcdElectionError.heldByOther(
                    key: key, holder: holder?.value ?? "an unknown node", revision: holder?.createRevision ?? 0)
            }
        }
        throw EtcdElectionError.tooSlow(key: key, after: ttl)
    }

    private enum Attempt {
        case won(createRevision: Int64, lease: Int64, sent: ContinuousClock.Instant, granted: Duration)
        case held(EtcdKeyValue?)
    }

    /// One grant and one create-if-absent transaction, within what is left of the campaign's `ttl`.
    private func tryCreate(start: ContinuousClock.Instant) async throws -> Attempt {
        func left() throws -> Duration {
            let left = ttl - (ContinuousClock.now - start)
            guard left > .zero else { throw EtcdElectionError.tooSlow(key: key, after: ttl) }
            return left
        }
        let sent = ContinuousClock.now
        let lease: EtcdLease
        do {
            lease = try await client.grantLease(ttl: ttl.components.seconds, timeout: try left())
        } catch let error as EtcdError {
            throw EtcdElectionError.unavailable(key: key, error: error)
        }
        let outcome: EtcdCreateOutcome
        do {
            outcome = try await client.createIfAbsent(key, value: name, lease: lease.id, timeout: try left())
        } catch {
            // The transaction may have been applied unseen: revoking the lease removes the key then.
            revokeInBackground(lease.id)
            if let error = error as? EtcdError { throw EtcdElectionError.unavailable(key: key, error: error) }
            throw error
        }
        switch outcome {
        case .created(let created):
            let deadline = sent + .seconds(lease.ttl) - margin
            guard ContinuousClock.now < deadline else {
                revokeInBackground(lease.id)
                throw EtcdElectionError.tooSlow(key: key, after: ContinuousClock.now - sent)
            }
            return .won(
                createRevision: created.createRevision, lease: lease.id, sent: sent,
                granted: min(.seconds(lease.ttl), ttl))
        case .exists(let holder):
            revokeInBackground(lease.id)
            return .held(holder)
        }
    }

    /// Polls the key until it no longer holds `holder`'s tenure (true) or `limit` passes (false).
    private func awaitDeletion(of holder: EtcdKeyValue?, for limit: Duration) async throws -> Bool {
        let start = ContinuousClock.now
        let end = start + limit
        while ContinuousClock.now < end {
            // A planned move's resign comes within milliseconds: poll fast at first, then slower.
            try await Task.sleep(for: ContinuousClock.now - start < .milliseconds(200) ? .milliseconds(5) : .milliseconds(50))
            do {
                let now = try await client.get(key, timeout: max(end - ContinuousClock.now, .milliseconds(50)))
                if now?.createRevision != holder?.createRevision { return true }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                continue  // etcd slow or unreachable: the next poll, or the campaign's own error
            }
        }
        return false
    }

    /// Deletes a key of this node's name left by an earlier run (only that very key), and its lease.
    private func clearStale(_ stale: EtcdKeyValue, start: ContinuousClock.Instant) async {
        let left = ttl - (ContinuousClock.now - start)
        guard left > .zero else { return }
        _ = try? await client.delete(key, ifCreatedAt: stale.createRevision, timeout: left)
        if stale.lease != 0 { revokeInBackground(stale.lease) }
    }

    private func begin(
        createRevision: Int64, lease: Int64, sent: ContinuousClock.Instant, granted: Duration,
        onRenewed: @escaping @Sendable (ContinuousClock.Instant) async -> Void,
        onLost: @escaping @Sendable (String) async -> Void
    ) -> Int64 {
        serial += 1
        let serial = self.serial
        tenure = Tenure(
            serial: serial, lease: lease, createRevision: createRevision, deadline: sent + granted - margin,
            lastRenewalSent: sent, leaseEndsNoEarlier: sent + granted, onRenewed: onRenewed, onLost: onLost)
        lastRenewalError = nil
        keeper = Task { [weak self] in
            await self?.keep(serial: serial, lease: lease, createRevision: createRevision, granted: sent)
        }
        return createRevision
    }

    // MARK: Holding

    /// Renews, watches and keeps the deadline until the tenure ends (any of the three ends it).
    private func keep(serial: Int, lease: Int64, createRevision: Int64, granted: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.renewLoop(serial: serial, lease: lease, createRevision: createRevision, granted: granted)
            }
            group.addTask { await self.deadlineLoop(serial: serial) }
            group.addTask { await self.watchLoop(serial: serial, createRevision: createRevision) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Every `renewInterval` (from the last send): one keepalive, then, within what is left of the
    /// interval, a read of the key (the poll that backs up a watch which may stay silent on a cut-off
    /// member). After a failure it tries twice as often, each attempt bounded by half the interval: a request that hung on a member
    /// without a leader must not hold the next one back once a new leader is elected.
    private func renewLoop(serial: Int, lease: Int64, createRevision: Int64, granted: ContinuousClock.Instant) async {
        var next = granted + renewInterval
        var failing = false
        while !Task.isCancelled {
            do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
            let sent = ContinuousClock.now
            let limit = failing ? renewInterval / 2 : renewInterval
            next = sent + limit
            failing = true
            do {
                guard let ttl = try await client.keepAlive(lease: lease, timeout: limit) else {
                    await lose(serial, "its lease is gone (etcd answered the renewal without a TTL)")
                    return
                }
                if let tenure = renewed(serial, sent: sent, ttl: ttl) {
                    await tenure.onRenewed(tenure.leaseEndsNoEarlier)
                }
                failing = false
                next = sent + renewInterval
                // The poll must not hold the next renewal back: with a round trip near `ttl / 3`, a
                // keepalive and a poll per interval pushed the renewals apart until the deadline passed
                // (docs/simulator.md, etcd mode, findings). It gets what is left of this interval.
                let left = next - ContinuousClock.now
                guard left > .zero else { continue }
                let now = try await client.get(key, timeout: left)
                if let problem = Self.problem(with: now, createRevision: createRevision, name: name) {
                    await lose(serial, problem)
                    return
                }
            } catch is CancellationError {
                return
            } catch {
                renewalFailed(serial, error)
            }
        }
    }

    /// Ends the tenure when its deadline passes (re-read after every wake: renewals move it).
    private func deadlineLoop(serial: Int) async {
        while !Task.isCancelled {
            guard let tenure, tenure.serial == serial else { return }
            if ContinuousClock.now >= tenure.deadline {
                let since = ContinuousClock.now - tenure.lastRenewalSent
                await lose(serial, "no renewal succeeded for \(since.shortDescription) (local deadline passed"
                    + (lastRenewalError.map { "; last error: \($0)" } ?? "") + ")")
                return
            }
            do { try await Task.sleep(until: tenure.deadline, clock: .continuous) } catch { return }
        }
    }

    /// Watches the key from just after its creation; a deletion, or a creation by someone else, ends
    /// the tenure. A broken stream is opened again after `renewInterval` (the poll covers the gap).
    private func watchLoop(serial: Int, createRevision: Int64) async {
        while !Task.isCancelled {
            do {
                try await client.watch(key, fromRevision: createRevision + 1) { [name] event in
                    let problem: String? =
                        switch event {
                        case .delete(_, let revision): "its key was deleted (revision \(revision))"
                        case .put(let value): Self.problem(with: value, createRevision: createRevision, name: name)
                        }
                    guard let problem else { return true }
                    await self.lose(serial, problem)
                    return false
                }
            } catch is CancellationError {
                return
            } catch {
                // Reported through the renewal's status only when it matters: the poll still runs.
            }
            do { try await Task.sleep(for: renewInterval) } catch { return }
        }
    }

    /// What is wrong with the key as read (nil: still ours, from `createRevision`).
    static func problem(with value: EtcdKeyValue?, createRevision: Int64, name: String) -> String? {
        guard let value else { return "its key is gone" }
        guard value.createRevision == createRevision else {
            return "its key was created again by \(value.value) (revision \(value.createRevision), "
                + "ours was \(createRevision))"
        }
        guard value.value == name else { return "its key now names \(value.value)" }
        return nil
    }

    /// Records a successful renewal of tenure `serial`; the tenure, if it is still the current one.
    private func renewed(_ serial: Int, sent: ContinuousClock.Instant, ttl: Int64) -> Tenure? {
        guard var current = tenure, current.serial == serial else { return nil }
        let granted = min(Duration.seconds(ttl), self.ttl)
        current.deadline = max(current.deadline, sent + granted - margin)
        current.lastRenewalSent = max(current.lastRenewalSent, sent)
        current.leaseEndsNoEarlier = max(current.leaseEndsNoEarlier, sent + granted)
        tenure = current
        lastRenewalError = nil
        return current
    }

    private func renewalFailed(_ serial: Int, _ error: any Error) {
        guard tenure?.serial == serial else { return }
        lastRenewalError = "\(error)"
    }

    /// Ends the tenure `serial` (if it is still the current one) and reports why, on a task of its own
    /// (the caller may be one of the keeper's tasks, which this cancels).
    private func lose(_ serial: Int, _ reason: String) async {
        guard let ended = tenure, ended.serial == serial else { return }
        tenure = nil
        keeper?.cancel()
        keeper = nil
        lastLoss = reason
        revokeInBackground(ended.lease)
        let onLost = ended.onLost
        Task { await onLost(reason) }
    }

    // MARK: Resign

    /// Gives the key up: deletes it if its create revision is still this tenure's, then revokes the
    /// lease. Without a tenure, removes a key of this node's name left by an earlier run (a
    /// restart), so no peer waits out its lease. Throws `resignIncomplete` when etcd could not be told.
    public func resign() async throws {
        if let ended = tenure {
            tenure = nil
            keeper?.cancel()
            keeper = nil
            do {
                _ = try await client.delete(key, ifCreatedAt: ended.createRevision, timeout: renewInterval)
                try await client.revoke(lease: ended.lease, timeout: renewInterval)
            } catch let error as EtcdError {
                revokeInBackground(ended.lease)
                throw EtcdElectionError.resignIncomplete(key: key, error: error)
            }
            return
        }
        do {
            guard let stale = try await client.get(key, timeout: renewInterval), stale.value == name else { return }
            _ = try await client.delete(key, ifCreatedAt: stale.createRevision, timeout: renewInterval)
            if stale.lease != 0 { try await client.revoke(lease: stale.lease, timeout: renewInterval) }
        } catch let error as EtcdError {
            throw EtcdElectionError.resignIncomplete(key: key, error: error)
        }
    }

    /// Revokes a lease without waiting (best effort: an unrevoked lease expires by itself).
    private nonisolated func revokeInBackground(_ lease: Int64) {
        let client = self.client
        let limit = renewInterval
        Task { try? await client.revoke(lease: lease, timeout: limit) }
    }
}
