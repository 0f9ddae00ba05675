/// Giving the key up, as a pure machine: with a tenure, delete the key if its create revision is
/// still the tenure's, then revoke the lease; without one, remove a key of this node's name left by
/// an earlier run (a restart), so no peer waits out its lease. Each request is bounded by `renewInterval`.
public struct ElectionResignation: Sendable {
    public let machine: ElectionMachine

    /// What the driver does next.
    public enum Next: Sendable, Equatable {
        /// Send this request, bounded by `limit`; then `replied`.
        case send(ElectionRequest, limit: Duration)
        /// Done; `incomplete` says why etcd could not be told (with a tenure, its lease is then
        /// revoked in the background and expires by itself otherwise).
        case done(incomplete: String?, revokeInBackground: Int64?)
    }

    private enum Phase: Sendable {
        case deleting(lease: Int64)
        case revoking(lease: Int64)
        case reading
        case deletingStale(lease: Int64)
        case revokingStale
    }

    private var phase: Phase

    /// Resigns `tenure`, or without one (nil) a stale key of this node's name.
    public init(machine: ElectionMachine, tenure: ElectionTenure?) {
        self.machine = machine
        phase = tenure.map { .deleting(lease: $0.lease) } ?? .reading
        createRevision = tenure?.createRevision
    }

    private let createRevision: Int64?

    /// The first request.
    public func begin() -> Next {
        let limit = machine.renewInterval
        if let createRevision { return .send(.delete(key: machine.key, ifCreatedAt: createRevision), limit: limit) }
        return .send(.get(key: machine.key), limit: limit)
    }

    /// The reply to the last request.
    public mutating func replied(_ reply: ElectionReply) -> Next {
        let limit = machine.renewInterval
        switch phase {
        case .deleting(let lease):
            if let why = reply.failure { return .done(incomplete: why, revokeInBackground: lease) }
            phase = .revoking(lease: lease)
            return .send(.revoke(lease: lease), limit: limit)
        case .revoking(let lease):
            if let why = reply.failure { return .done(incomplete: why, revokeInBackground: lease) }
            return .done(incomplete: nil, revokeInBackground: nil)
        case .reading:
            if let why = reply.failure { return .done(incomplete: why, revokeInBackground: nil) }
            guard case .value(let stale?) = reply, stale.value == machine.name else {
                return .done(incomplete: nil, revokeInBackground: nil)
            }
            phase = .deletingStale(lease: stale.lease)
            return .send(.delete(key: machine.key, ifCreatedAt: stale.createRevision), limit: limit)
        case .deletingStale(let lease):
            if let why = reply.failure { return .done(incomplete: why, revokeInBackground: nil) }
            guard lease != 0 else { return .done(incomplete: nil, revokeInBackground: nil) }
            phase = .revokingStale
            return .send(.revoke(lease: lease), limit: limit)
        case .revokingStale:
            return .done(incomplete: reply.failure, revokeInBackground: nil)
        }
    }
}
