/// One key of etcd's key space as the election reads it.
public struct ElectionKeyValue: Sendable, Equatable {
    public var value: String
    /// The revision that created the key: a new one each time the key is created again.
    public var createRevision: Int64
    public var modRevision: Int64
    /// The lease the key is attached to; 0 for none.
    public var lease: Int64

    public init(value: String, createRevision: Int64, modRevision: Int64, lease: Int64) {
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.lease = lease
    }
}

/// A request the election machine asks its driver to send to etcd.
public enum ElectionRequest: Sendable, Equatable {
    /// Grant a lease of `ttl` (whole seconds).
    case grant(ttl: Duration)
    /// One transaction: if `key` is absent, create it with `value` under `lease`.
    case createIfAbsent(key: String, value: String, lease: Int64)
    case get(key: String)
    /// Delete `key` if its create revision is still `ifCreatedAt`.
    case delete(key: String, ifCreatedAt: Int64)
    case revoke(lease: Int64)
    case keepAlive(lease: Int64)
}

/// What became of a request: etcd's answer, or a failure (no answer within the request's limit,
/// an error answer, a broken connection).
public enum ElectionReply: Sendable, Equatable {
    case granted(lease: Int64, ttl: Duration)
    case created(revision: Int64)
    /// The create's compare failed: the key as it is.
    case exists(ElectionKeyValue?)
    case value(ElectionKeyValue?)
    case deleted(Bool)
    case revoked
    /// A keepalive's answer: the TTL, or nil when the lease is gone.
    case renewed(ttl: Duration?)
    /// The request failed; why, for a person.
    case failed(String)

    /// Why the request failed; nil for an answer.
    public var failure: String? {
        if case .failed(let why) = self { return why }
        return nil
    }
}

/// Why a campaign was not won.
public enum ElectionFailure: Sendable, Equatable, CustomStringConvertible {
    /// Another node holds `key`; `revision` is its create revision.
    case heldByOther(key: String, holder: String, revision: Int64)
    /// A request of the campaign failed (`step`: "lease/grant" or "kv/txn"); `why` from the reply.
    case unavailable(step: String, why: String)
    /// The campaign's time ran out before it was decided, `after` this long.
    case tooSlow(key: String, after: Duration)

    public var description: String {
        switch self {
        case .heldByOther(let key, let holder, let revision):
            "etcd key \(key) is held by \(holder) (since revision \(revision))"
        case .unavailable(let step, let why): "etcd unavailable: \(step) \(why)"
        case .tooSlow(let key, let after): "campaign for etcd key \(key) not decided within \(after.shortDescription)"
        }
    }
}
