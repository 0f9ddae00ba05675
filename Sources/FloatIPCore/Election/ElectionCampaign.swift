/// A campaign for the key, as a pure machine: grant a lease of `ttl`, then create the key if
/// absent under it; decided within `ttl`, in at most three attempts.
///
/// - A key of this node's name (left by an earlier run, a restart within the TTL) is deleted, only
///   that very key, and the campaign tried again, once.
/// - With `patience`, a key held by another node is polled (every 5 ms for 200 ms, then every
///   50 ms) for up to that long, and the campaign tried once more when it goes: in a planned move
///   the old holder releases and resigns while the target already campaigns.
/// - A lease granted for an attempt that did not win is revoked in the background.
///
/// The driver sends each `Step.next` request and passes its reply to `replied`, sleeps until a
/// `wait` and then calls `woke`, and revokes `Step.revoke` without waiting.
public struct ElectionCampaign: Sendable {
    public let machine: ElectionMachine
    /// How long a key held by another node is polled for its deletion (at most `ttl / 2`).
    public let patience: Duration
    /// When the campaign started: it is decided within `ttl` of it.
    public let start: Instant

    /// What the driver does next.
    public enum Next: Sendable, Equatable {
        /// Send this request, bounded by `limit`; then `replied`.
        case send(ElectionRequest, limit: Duration)
        /// Sleep until then; then `woke`.
        case wait(until: Instant)
        /// The key is this node's: the tenure to hold.
        case won(ElectionTenure)
        case failed(ElectionFailure)
    }

    /// Leases to revoke without waiting (best effort: an unrevoked lease expires by itself), and what next.
    public struct Step: Sendable, Equatable {
        public var revoke: [Int64] = []
        public var next: Next

        public init(revoke: [Int64] = [], next: Next) {
            self.revoke = revoke
            self.next = next
        }
    }

    private enum Phase: Sendable {
        case granting(sent: Instant)
        case creating(sent: Instant, lease: Int64, ttl: Duration)
        case clearing(staleLease: Int64)
        /// Polling the held key for its deletion since `since`, until `end`.
        case sleeping(holder: ElectionKeyValue?, since: Instant, end: Instant)
        case reading(holder: ElectionKeyValue?, since: Instant, end: Instant)
        case decided
    }

    private var phase = Phase.decided
    private var attempt = 0
    private var waited = false

    /// A campaign starting at `now`; `start(now:)` gives its first step.
    public init(machine: ElectionMachine, patience: Duration = .zero, now: Instant) {
        self.machine = machine
        self.patience = min(patience, machine.ttl / 2)
        start = now
    }

    /// The first step.
    public mutating func begin(now: Instant) -> Step {
        attempt = 0
        waited = false
        return tryCreate(now: now)
    }

    /// The reply to the request of the last step.
    public mutating func replied(_ reply: ElectionReply, now: Instant) -> Step {
        switch phase {
        case .granting(let sent):
            guard case .granted(let lease, let ttl) = reply else {
                return decide(.unavailable(step: "lease/grant", why: reply.failure ?? "answered unexpectedly"))
            }
            let left = machine.ttl - (now - start)
            guard left > .zero else { return decide(.tooSlow(key: machine.key, after: machine.ttl)) }
            phase = .creating(sent: sent, lease: lease, ttl: ttl)
            return Step(next: .send(.createIfAbsent(key: machine.key, value: machine.name, lease: lease), limit: left))
        case .creating(let sent, let lease, let ttl):
            switch reply {
            case .created(let revision):
                // Too late to hold it safely: the deadline would already have passed.
                guard now < sent + ttl - machine.margin else {
                    return decide(.tooSlow(key: machine.key, after: now - sent), revoke: [lease])
                }
                phase = .decided
                let tenure = ElectionTenure(
                    machine: machine, lease: lease, createRevision: revision, sent: sent, granted: min(ttl, machine.ttl))
                return Step(next: .won(tenure))
            case .exists(let holder):
                return held(holder, now: now, revoke: [lease])
            default:
                // The transaction may have been applied unseen: revoking the lease removes the key then.
                return decide(.unavailable(step: "kv/txn", why: reply.failure ?? "answered unexpectedly"), revoke: [lease])
            }
        case .clearing(let staleLease):
            return nextAttempt(now: now, revoke: staleLease != 0 ? [staleLease] : [])
        case .reading(let holder, let since, let end):
            if case .value(let found) = reply, found?.createRevision != holder?.createRevision {
                return nextAttempt(now: now)
            }
            return poll(holder, since: since, end: end, now: now)
        case .sleeping, .decided:
            return Step(next: .failed(.tooSlow(key: machine.key, after: now - start)))
        }
    }

    /// The wait of the last step is over: read the held key again.
    public mutating func woke(now: Instant) -> Step {
        guard case .sleeping(let holder, let since, let end) = phase else {
            return Step(next: .failed(.tooSlow(key: machine.key, after: now - start)))
        }
        phase = .reading(holder: holder, since: since, end: end)
        return Step(next: .send(.get(key: machine.key), limit: max(end - now, .milliseconds(50))))
    }

    /// One attempt: a grant within what is left of the campaign's `ttl`.
    private mutating func tryCreate(now: Instant, revoke: [Int64] = []) -> Step {
        let left = machine.ttl - (now - start)
        guard left > .zero else { return decide(.tooSlow(key: machine.key, after: machine.ttl), revoke: revoke) }
        phase = .granting(sent: now)
        return Step(revoke: revoke, next: .send(.grant(ttl: machine.ttl), limit: left))
    }

    private mutating func nextAttempt(now: Instant, revoke: [Int64] = []) -> Step {
        attempt += 1
        guard attempt < 3 else { return decide(.tooSlow(key: machine.key, after: machine.ttl), revoke: revoke) }
        return tryCreate(now: now, revoke: revoke)
    }

    /// The create found the key held (`holder`; nil when the answer did not say by whom).
    private mutating func held(_ holder: ElectionKeyValue?, now: Instant, revoke: [Int64]) -> Step {
        if let holder, holder.value == machine.name, attempt == 0 {
            // Ours, from an earlier run of this node (a restart within the TTL): clear it, try again.
            let left = machine.ttl - (now - start)
            guard left > .zero else { return nextAttempt(now: now, revoke: revoke) }
            phase = .clearing(staleLease: holder.lease)
            return Step(
                revoke: revoke, next: .send(.delete(key: machine.key, ifCreatedAt: holder.createRevision), limit: left))
        }
        if !waited, patience > .zero {
            waited = true
            var step = poll(holder, since: now, end: now + patience, now: now)
            step.revoke = revoke + step.revoke
            return step
        }
        return decide(heldByOther(holder), revoke: revoke)
    }

    /// Waits before the next read of the held key, or gives up once the patience is spent.
    private mutating func poll(_ holder: ElectionKeyValue?, since: Instant, end: Instant, now: Instant) -> Step {
        guard now < end else { return decide(heldByOther(holder)) }
        // A planned move's resign comes within milliseconds: poll fast at first, then slower.
        let pause: Duration = now - since < .milliseconds(200) ? .milliseconds(5) : .milliseconds(50)
        phase = .sleeping(holder: holder, since: since, end: end)
        return Step(next: .wait(until: now + pause))
    }

    private func heldByOther(_ holder: ElectionKeyValue?) -> ElectionFailure {
        .heldByOther(key: machine.key, holder: holder?.value ?? "an unknown node", revision: holder?.createRevision ?? 0)
    }

    private mutating func decide(_ failure: ElectionFailure, revoke: [Int64] = []) -> Step {
        phase = .decided
        return Step(revoke: revoke, next: .failed(failure))
    }
}
