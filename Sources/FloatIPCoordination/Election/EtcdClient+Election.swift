import FloatIPCore

// The election machine's requests, sent with the etcd client (the agent's side of the machine).
extension EtcdClient {
    /// Sends one of the election machine's requests within `limit`; its answer as the machine
    /// takes it. Throws what the client throws (`EtcdError`, `CancellationError`).
    func perform(_ request: ElectionRequest, limit: Duration) async throws -> ElectionReply {
        switch request {
        case .grant(let ttl):
            let lease = try await grantLease(ttl: ttl.components.seconds, timeout: limit)
            return .granted(lease: lease.id, ttl: .seconds(lease.ttl))
        case .createIfAbsent(let key, let value, let lease):
            switch try await createIfAbsent(key, value: value, lease: lease, timeout: limit) {
            case .created(let created): return .created(revision: created.createRevision)
            case .exists(let holder): return .exists(holder.map(ElectionKeyValue.init))
            }
        case .get(let key):
            return .value(try await get(key, timeout: limit).map(ElectionKeyValue.init))
        case .delete(let key, let ifCreatedAt):
            return .deleted(try await delete(key, ifCreatedAt: ifCreatedAt, timeout: limit))
        case .revoke(let lease):
            try await revoke(lease: lease, timeout: limit)
            return .revoked
        case .keepAlive(let lease):
            return .renewed(ttl: try await keepAlive(lease: lease, timeout: limit).map { .seconds($0) })
        }
    }
}

extension EtcdClient {
    /// `perform`, with an `EtcdError` turned into the machine's failed reply and kept in
    /// `lastError` (for the agent's own error); anything else (cancellation) is thrown.
    func perform(_ request: ElectionRequest, limit: Duration, lastError: inout EtcdError?) async throws
        -> ElectionReply
    {
        do {
            return try await perform(request, limit: limit)
        } catch let error as EtcdError {
            lastError = error
            return .failed("\(error)")
        }
    }
}

extension ElectionKeyValue {
    /// The key as etcd's client decoded it.
    init(_ value: EtcdKeyValue) {
        self.init(
            value: value.value, createRevision: value.createRevision, modRevision: value.modRevision, lease: value.lease)
    }
}
