/// The election while this node holds the key, as a pure machine: the renewals with their poll,
/// the local deadline, and what the watch reports.
///
/// - **Renew** every `renewInterval` from the last send, each keepalive bounded by the interval;
///   after a failure, twice as often, each bounded by half the interval (a request that hung on a
///   member without a leader must not hold the next one back once a new leader is elected).
/// - **Poll** after each successful renewal: a read of the key within what is left of the interval
///   (it backs up a watch that may stay silent on a cut-off member, and never holds the next
///   renewal back).
/// - **Deadline**: the send time of the last successful renewal + the granted TTL − `margin`. etcd
///   lets a lease expire no earlier than the TTL after the renewal *arrived*, so the deadline passes
///   at least `margin` before the key can vanish on the server.
/// - **Lost** when the deadline passes, a renewal answers without a TTL (the lease is gone), or the
///   poll or the watch finds the key deleted or created again by someone else.
public struct ElectionTenure: Sendable, Equatable {
    public let machine: ElectionMachine
    public let lease: Int64
    /// The key's create revision: names the tenure (the fencing epoch).
    public let createRevision: Int64
    /// This node gives the key up by then unless a renewal moves it.
    public private(set) var deadline: Instant
    /// When the last successful renewal (or the grant) was sent.
    public private(set) var lastRenewalSent: Instant
    /// The earliest the lease can expire on the server: the last renewal's send time + its TTL.
    public private(set) var leaseEndsNoEarlier: Instant
    /// When the next renewal is due.
    public private(set) var nextRenewal: Instant
    /// The last renewal (or poll) failed: the next one comes after half an interval.
    public private(set) var failing = false
    /// Why the last renewal or poll failed, since the last success.
    public private(set) var lastError: String?

    /// The tenure won with a lease granted for `granted` whose grant was sent at `sent`.
    public init(machine: ElectionMachine, lease: Int64, createRevision: Int64, sent: Instant, granted: Duration) {
        self.machine = machine
        self.lease = lease
        self.createRevision = createRevision
        deadline = sent + granted - machine.margin
        lastRenewalSent = sent
        leaseEndsNoEarlier = sent + granted
        nextRenewal = sent + machine.renewInterval
    }

    /// Whether this node holds the key at `now`, by its local deadline.
    public func holds(at now: Instant) -> Bool { now < deadline }

    /// What a keepalive's reply did.
    public enum Renewal: Sendable, Equatable {
        /// The tenure moved on (`deadline` and `leaseEndsNoEarlier` are new): `poll` next.
        case renewed
        /// It failed (`lastError` says why): renew again at `nextRenewal`.
        case failed
        /// The tenure has ended, for this reason.
        case lost(String)
    }

    /// The renewal is due (at `now`): the keepalive to send and its limit.
    public mutating func renew(now: Instant) -> (request: ElectionRequest, limit: Duration) {
        let limit = failing ? machine.renewInterval / 2 : machine.renewInterval
        nextRenewal = now + limit
        failing = true
        return (.keepAlive(lease: lease), limit)
    }

    /// The keepalive sent at `sent` was answered (or failed).
    public mutating func renewed(_ reply: ElectionReply, sent: Instant) -> Renewal {
        guard case .renewed(let ttl) = reply else {
            lastError = reply.failure ?? "answered unexpectedly"
            return .failed
        }
        guard let ttl else { return .lost("its lease is gone (etcd answered the renewal without a TTL)") }
        let granted = min(ttl, machine.ttl)
        deadline = max(deadline, sent + granted - machine.margin)
        lastRenewalSent = max(lastRenewalSent, sent)
        leaseEndsNoEarlier = max(leaseEndsNoEarlier, sent + granted)
        lastError = nil
        failing = false
        nextRenewal = sent + machine.renewInterval
        return .renewed
    }

    /// After a renewal, at `now`: the read of the key and its limit, or nil (renew at `nextRenewal`).
    /// The poll must not hold the next renewal back: with a round trip near `ttl / 3`, a keepalive
    /// and a poll per interval pushed the renewals apart until the deadline passed (docs/simulator.md,
    /// etcd mode, findings). It gets what is left of this interval.
    public func poll(now: Instant) -> (request: ElectionRequest, limit: Duration)? {
        let left = nextRenewal - now
        guard left > .zero else { return nil }
        return (.get(key: machine.key), left)
    }

    /// The poll's reply: the reason the tenure ended, or nil (renew at `nextRenewal`).
    public mutating func polled(_ reply: ElectionReply) -> String? {
        switch reply {
        case .value(let found): return machine.problem(with: found, createRevision: createRevision)
        case .failed(let why): lastError = why
        default: lastError = "answered unexpectedly"
        }
        return nil
    }

    /// The watch saw the key change at `revision` (`now`: its value, nil when deleted): the reason
    /// the tenure ended, or nil.
    public func watched(_ now: ElectionKeyValue?, revision: Int64) -> String? {
        guard now != nil else { return "its key was deleted (revision \(revision))" }
        return machine.problem(with: now, createRevision: createRevision)
    }

    /// The reason the tenure ended at `now` by its local deadline, or nil (check again at `deadline`).
    public func expired(at now: Instant) -> String? {
        guard now >= deadline else { return nil }
        return "no renewal succeeded for \((now - lastRenewalSent).shortDescription) (local deadline passed"
            + (lastError.map { "; last error: \($0)" } ?? "") + ")"
    }
}
