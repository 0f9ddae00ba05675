import FloatIPCore
import FloatIPLinux

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
///
/// The rules are the core's pure election machine (`ElectionCampaign`, `ElectionTenure`,
/// `ElectionResignation`); this actor sends their requests, sleeps their waits and keeps the
/// watch. The simulator's etcd mode drives the very same machine.
public actor EtcdElection {
    public nonisolated let client: EtcdClient
    public nonisolated let key: String
    /// This node's name: the key's value while it holds.
    public nonisolated let name: String
    public nonisolated let ttl: Duration
    /// How long before the lease could expire on the server the holder gives up.
    public nonisolated let margin: Duration
    /// The election's rules, pure (the simulator runs them too).
    public nonisolated let machine: ElectionMachine

    private var tenure: Tenure?
    private var keeper: Task<Void, Never>?
    private var serial = 0
    /// The last renewal failure, and the last loss, for status and tests.
    public private(set) var lastRenewalError: String?
    public private(set) var lastLoss: String?

    /// The current tenure: this node holds the key.
    struct Tenure {
        var serial: Int
        /// The lease, deadline and renewals, as the machine keeps them.
        var machine: ElectionTenure
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
        let machine = ElectionMachine(key: key, name: name, ttl: ttl, margin: margin)
        self.margin = machine.margin
        self.machine = machine
    }

    /// How often the holder renews; also each renewal's time limit.
    public nonisolated var renewInterval: Duration { ttl / 3 }

    /// The key's create revision while this node holds the key, by its local deadline.
    public var createRevision: Int64? {
        guard let tenure, tenure.machine.holds(at: .monotonicNow) else { return nil }
        return tenure.machine.createRevision
    }

    /// The lease of the current tenure, if any.
    public var lease: Int64? { tenure?.machine.lease }

    /// When the last successful renewal (or the grant) was sent, in the current tenure.
    public var lastRenewalSent: ContinuousClock.Instant? { tenure?.machine.lastRenewalSent.continuous }

    /// The earliest instant etcd can expire the current tenure's lease (and so delete the key and
    /// let another node win it): the last successful renewal's (or the grant's) send time + its
    /// TTL, since etcd counts the TTL from the request's arrival. What this node holds only while
    /// it holds the key must be gone by then even if it is killed (`ExpiringMover`).
    public var leaseEndsNoEarlier: ContinuousClock.Instant? { tenure?.machine.leaseEndsNoEarlier.continuous }

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
        var campaign = ElectionCampaign(machine: machine, patience: patience, now: .monotonicNow)
        var step = campaign.begin(now: .monotonicNow)
        var lastError: EtcdError?
        while true {
            for lease in step.revoke { revokeInBackground(lease) }
            switch step.next {
            case .send(let request, let limit):
                let reply: ElectionReply
                do {
                    reply = try await client.perform(request, limit: limit, lastError: &lastError)
                } catch {
                    // The transaction may have been applied unseen: revoking the lease removes the key then.
                    if case .createIfAbsent(_, _, let lease) = request { revokeInBackground(lease) }
                    throw error
                }
                step = campaign.replied(reply, now: .monotonicNow)
            case .wait(let until):
                try await Task.sleep(until: until.continuous, clock: .continuous)
                step = campaign.woke(now: .monotonicNow)
            case .won(let won):
                return begin(won, onRenewed: onRenewed, onLost: onLost)
            case .failed(let failure):
                throw campaignError(failure, cause: lastError)
            }
        }
    }

    /// The agent's error for a campaign the machine lost; `cause`: the last failed request's error.
    private func campaignError(_ failure: ElectionFailure, cause: EtcdError?) -> EtcdElectionError {
        switch failure {
        case .heldByOther(let key, let holder, let revision):
            .heldByOther(key: key, holder: holder, revision: revision)
        case .unavailable(let step, let why):
            .unavailable(key: key, error: cause ?? .noEndpointTried(call: "\(step) (\(why))"))
        case .tooSlow(let key, let after): .tooSlow(key: key, after: after)
        }
    }

    private func begin(
        _ won: ElectionTenure,
        onRenewed: @escaping @Sendable (ContinuousClock.Instant) async -> Void,
        onLost: @escaping @Sendable (String) async -> Void
    ) -> Int64 {
        serial += 1
        let serial = self.serial
        tenure = Tenure(serial: serial, machine: won, onRenewed: onRenewed, onLost: onLost)
        lastRenewalError = nil
        keeper = Task { [weak self] in await self?.keep(serial: serial, watching: won) }
        return won.createRevision
    }

    // MARK: Holding

    /// Renews, watches and keeps the deadline until the tenure ends (any of the three ends it).
    private func keep(serial: Int, watching won: ElectionTenure) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.renewLoop(serial: serial) }
            group.addTask { await self.deadlineLoop(serial: serial) }
            group.addTask { await self.watchLoop(serial: serial, watching: won) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Applies `change` to tenure `serial`'s machine, if it is still the current tenure.
    private func update<Result>(_ serial: Int, _ change: (inout ElectionTenure) -> Result) -> Result? {
        guard var current = tenure, current.serial == serial else { return nil }
        let result = change(&current.machine)
        tenure = current
        lastRenewalError = current.machine.lastError
        return result
    }

    /// Sends a request of the holding machine: its reply, or nil when cancelled.
    private func send(_ request: ElectionRequest, limit: Duration) async -> ElectionReply? {
        do {
            return try await client.perform(request, limit: limit)
        } catch is CancellationError {
            return nil
        } catch {
            return .failed("\(error)")
        }
    }

    /// At each renewal the machine asks for (`ElectionTenure.nextRenewal`): one keepalive, then,
    /// within what is left of the interval, a read of the key (the poll that backs up a watch which
    /// may stay silent on a cut-off member).
    private func renewLoop(serial: Int) async {
        while !Task.isCancelled {
            guard let due = update(serial, { $0.nextRenewal }) else { return }
            do { try await Task.sleep(until: due.continuous, clock: .continuous) } catch { return }
            let sent = Instant.monotonicNow
            guard let renewal = update(serial, { $0.renew(now: sent) }),
                let reply = await send(renewal.request, limit: renewal.limit),
                let outcome = update(serial, { $0.renewed(reply, sent: sent) })
            else { return }
            switch outcome {
            case .failed: continue
            case .lost(let reason):
                await lose(serial, reason)
                return
            case .renewed:
                if let current = tenure, current.serial == serial {
                    await current.onRenewed(current.machine.leaseEndsNoEarlier.continuous)
                }
            }
            guard let poll = update(serial, { $0.poll(now: .monotonicNow) }) else { return }
            guard let poll else { continue }
            guard let reply = await send(poll.request, limit: poll.limit),
                let problem = update(serial, { $0.polled(reply) })
            else { return }
            if let problem {
                await lose(serial, problem)
                return
            }
        }
    }

    /// Ends the tenure when its deadline passes (re-read after every wake: renewals move it).
    private func deadlineLoop(serial: Int) async {
        while !Task.isCancelled {
            guard let tenure, tenure.serial == serial else { return }
            if let reason = tenure.machine.expired(at: .monotonicNow) {
                await lose(serial, reason)
                return
            }
            do { try await Task.sleep(until: tenure.machine.deadline.continuous, clock: .continuous) } catch { return }
        }
    }

    /// Watches the key from just after its creation; a deletion, or a creation by someone else, ends
    /// the tenure. A broken stream is opened again after `renewInterval` (the poll covers the gap).
    private func watchLoop(serial: Int, watching won: ElectionTenure) async {
        while !Task.isCancelled {
            do {
                try await client.watch(key, fromRevision: won.createRevision + 1) { event in
                    let problem: String? =
                        switch event {
                        case .delete(_, let revision): won.watched(nil, revision: revision)
                        case .put(let value): won.watched(ElectionKeyValue(value), revision: value.modRevision)
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

    /// Ends the tenure `serial` (if it is still the current one) and reports why, on a task of its own
    /// (the caller may be one of the keeper's tasks, which this cancels).
    private func lose(_ serial: Int, _ reason: String) async {
        guard let ended = tenure, ended.serial == serial else { return }
        tenure = nil
        keeper?.cancel()
        keeper = nil
        lastLoss = reason
        revokeInBackground(ended.machine.lease)
        let onLost = ended.onLost
        Task { await onLost(reason) }
    }

    // MARK: Resign

    /// Gives the key up: deletes it if its create revision is still this tenure's, then revokes the
    /// lease. Without a tenure, removes a key of this node's name left by an earlier run (a
    /// restart), so no peer waits out its lease. Throws `resignIncomplete` when etcd could not be told.
    public func resign() async throws {
        let ended = tenure
        if ended != nil {
            tenure = nil
            keeper?.cancel()
            keeper = nil
        }
        var resignation = ElectionResignation(machine: machine, tenure: ended?.machine)
        var next = resignation.begin()
        var lastError: EtcdError?
        while true {
            switch next {
            case .send(let request, let limit):
                next = resignation.replied(try await client.perform(request, limit: limit, lastError: &lastError))
            case .done(let incomplete, let revoke):
                if let revoke { revokeInBackground(revoke) }
                guard incomplete != nil, let lastError else { return }
                throw EtcdElectionError.resignIncomplete(key: key, error: lastError)
            }
        }
    }

    /// Revokes a lease without waiting (best effort: an unrevoked lease expires by itself).
    private nonisolated func revokeInBackground(_ lease: Int64) {
        let client = self.client
        let limit = renewInterval
        Task { try? await client.revoke(lease: lease, timeout: limit) }
    }
}
