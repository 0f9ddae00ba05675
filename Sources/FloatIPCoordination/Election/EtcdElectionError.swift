import FloatIPCore

/// Why a campaign was not won, or a resignation not completed.
public enum EtcdElectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another node holds the group's key; `revision` is its create revision (the key's, since that holder won it).
    case heldByOther(key: String, holder: String, revision: Int64)
    /// etcd could not be asked (down, unreachable, refused credentials, a malformed answer).
    case unavailable(key: String, error: EtcdError)
    /// The campaign's time ran out before it was decided (the lease it granted is revoked or expires).
    case tooSlow(key: String, after: Duration)
    /// The key was removed here, but etcd could not be told (the lease then expires by itself).
    case resignIncomplete(key: String, error: EtcdError)

    public var description: String {
        switch self {
        case .heldByOther(let key, let holder, let revision):
            "\(ElectionFailure.heldByOther(key: key, holder: holder, revision: revision))"
        case .unavailable(let key, let error):
            "cannot campaign for etcd key \(key): \(error)"
        case .tooSlow(let key, let after): "\(ElectionFailure.tooSlow(key: key, after: after))"
        case .resignIncomplete(let key, let error):
            "resigned etcd key \(key) here, but could not tell etcd (its lease expires by itself): \(error)"
        }
    }
}
