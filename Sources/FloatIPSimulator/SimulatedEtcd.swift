import FloatIPCore

/// The etcd server as the election sees it, in simulated time: leases that expire on the server's
/// lessor tick, create-if-absent and delete-if-create-revision transactions, revoke, and a revision
/// that only grows. One logical server (a healthy cluster answers like one); it is up or down.
///
/// What etcd does and this models (etcd 3.4, `lease/lessor.go`, `etcdserver/server.go`):
/// - A lease expires `ttl` after its grant or last renewal *arrived*; the lessor looks for expired
///   leases every 500 ms, so it is revoked (and its keys deleted) 0–500 ms later.
/// - A renewal of an expired lease that is not yet revoked waits for the revoke and then answers
///   "not found" (the JSON gateway: no `TTL`).
/// - A server that comes back (restart, new leader) refreshes every lease to `ttl` + the election
///   timeout from then (`Promote`): leases do not run out while nobody can renew them.
/// - Revoking a lease deletes its keys in one revision; a grant changes no revision; a
///   transaction whose compare fails and only reads changes none.
struct SimulatedEtcd {
    /// A key as the election reads it.
    typealias KeyValue = ElectionKeyValue

    struct Lease {
        var ttl: Duration
        /// Past this instant the lease counts as expired; the next lessor tick revokes it.
        var expiry: Instant
    }

    /// What a request asks: the election machine's requests.
    typealias Request = ElectionRequest

    /// What the server answers (`failed`: an error answer, `requested lease not found`).
    typealias Answer = ElectionReply

    /// A change of a key, for watchers.
    struct Change {
        var key: String
        var revision: Int64
        /// nil: deleted.
        var now: KeyValue?
    }

    /// The server's revision: it grows with every write and never goes back.
    private(set) var revision: Int64 = 1
    private(set) var keys: [String: KeyValue] = [:]
    private(set) var leases: [Int64: Lease] = [:]
    private var nextLease: Int64 = 0x694d_0000_0000_0001
    var up = true
    /// How long a returning server adds to every lease beyond its TTL (etcd: the election timeout).
    let promoteExtension: Duration

    init(promoteExtension: Duration) { self.promoteExtension = promoteExtension }

    /// Whether `lease` exists and has not expired at `now`.
    func leaseAlive(_ lease: Int64, at now: Instant) -> Bool {
        guard let found = leases[lease] else { return false }
        return now < found.expiry
    }

    /// Whether a keepalive for `lease` must wait for the next lessor tick: expired, not yet revoked.
    func awaitsRevoke(_ lease: Int64, at now: Instant) -> Bool {
        guard let found = leases[lease] else { return false }
        return now >= found.expiry
    }

    /// Applies one request that reached the server at `now`; the answer and the key changes it made.
    mutating func apply(_ request: Request, at now: Instant) -> (answer: Answer, changes: [Change]) {
        switch request {
        case .grant(let ttl):
            let id = nextLease
            nextLease += 1
            leases[id] = Lease(ttl: ttl, expiry: now + ttl)
            return (.granted(lease: id, ttl: ttl), [])
        case .createIfAbsent(let key, let value, let lease):
            if let existing = keys[key] { return (.exists(existing), []) }
            guard leaseAlive(lease, at: now) else { return (.failed("etcdserver: requested lease not found"), []) }
            let created = KeyValue(value: value, createRevision: bump(), modRevision: revision, lease: lease)
            keys[key] = created
            return (.created(revision: created.createRevision), [Change(key: key, revision: revision, now: created)])
        case .get(let key):
            return (.value(keys[key]), [])
        case .delete(let key, let ifCreatedAt):
            guard let existing = keys[key], existing.createRevision == ifCreatedAt else { return (.deleted(false), []) }
            keys[key] = nil
            return (.deleted(true), [Change(key: key, revision: bump(), now: nil)])
        case .revoke(let lease):
            guard leases[lease] != nil else { return (.failed("etcdserver: requested lease not found"), []) }
            return (.revoked, revoke(lease))
        case .keepAlive(let lease):
            // The caller holds a keepalive that `awaitsRevoke` until the tick, then asks again.
            guard leaseAlive(lease, at: now), let found = leases[lease] else { return (.renewed(ttl: nil), []) }
            leases[lease]?.expiry = now + found.ttl
            return (.renewed(ttl: found.ttl), [])
        }
    }

    /// The lessor's tick: revokes every expired lease; the key changes it made.
    mutating func lessorTick(at now: Instant) -> [Change] {
        guard up else { return [] }
        let expired = leases.filter { now >= $0.value.expiry }.map(\.key).sorted()
        return expired.flatMap { revoke($0) }
    }

    /// The server comes back: every lease runs `ttl` + `promoteExtension` from now.
    mutating func promote(at now: Instant) {
        up = true
        for (id, lease) in leases { leases[id]?.expiry = now + promoteExtension + lease.ttl }
    }

    private mutating func revoke(_ lease: Int64) -> [Change] {
        leases[lease] = nil
        let attached = keys.filter { $0.value.lease == lease }.map(\.key).sorted()
        guard !attached.isEmpty else { return [] }
        let at = bump()
        for key in attached { keys[key] = nil }
        return attached.map { Change(key: $0, revision: at, now: nil) }
    }

    private mutating func bump() -> Int64 {
        revision += 1
        return revision
    }
}
