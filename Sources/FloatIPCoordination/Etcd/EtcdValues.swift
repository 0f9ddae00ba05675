/// One key of etcd's key space, decoded (key and value as UTF-8 text).
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: String
    public var value: String
    /// The revision that created the key: a new one each time the key is created again.
    public var createRevision: Int64
    public var modRevision: Int64
    /// The lease the key is attached to; 0 for none.
    public var lease: Int64

    public init(key: String, value: String, createRevision: Int64, modRevision: Int64, lease: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.lease = lease
    }
}

/// A granted lease.
public struct EtcdLease: Sendable, Equatable {
    public var id: Int64
    /// The TTL etcd granted, in seconds.
    public var ttl: Int64
}

/// What a create-if-absent transaction found.
public enum EtcdCreateOutcome: Sendable, Equatable {
    /// The key was absent and is now ours.
    case created(EtcdKeyValue)
    /// The key exists (it was not touched); its current value. nil when it vanished between the
    /// comparison and the read (then nothing is known).
    case exists(EtcdKeyValue?)
}

/// One change to a watched key.
public enum EtcdWatchEvent: Sendable, Equatable {
    case put(EtcdKeyValue)
    case delete(key: String, revision: Int64)
}

/// The answer of `maintenance/status`.
public struct EtcdStatus: Sendable, Equatable {
    public var version: String
    /// The leader's member ID (0: none known).
    public var leader: UInt64
    public var revision: Int64
}
