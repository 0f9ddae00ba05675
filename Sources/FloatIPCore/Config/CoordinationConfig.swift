/// `coordination:`: an external arbiter of who holds each group (docs/config.md, "coordination";
/// docs/coordination.md).
///
/// With `kind: etcd`, a node holds a group only while it holds the group's key
/// (`<prefix>/<cluster>/<group>`) in etcd under a lease of `ttl`.
public struct CoordinationConfig: Sendable, Equatable {
    /// The arbiter. Only etcd (v3, through its JSON gateway) exists.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case etcd
    }

    public var kind: Kind
    /// `endpoints`: the etcd members' client URLs (`http://198.18.0.5:2379`), tried in turn.
    public var endpoints: [String]
    /// `ttl`: the lease's time to live, whole seconds, at least `minimumTTL`. Default 5 s.
    public var ttl: Duration
    /// `prefix`: where the groups' keys live; starts with `/`, no trailing `/`. Default `/floatip`.
    public var prefix: String
    /// `user`: the etcd user, when etcd has authentication enabled.
    public var user: String?
    /// `password_file`: the file holding `user`'s password (never the password itself).
    public var passwordFile: String?
    /// `ca_file`: PEM certificates that sign the members' server certificates (https endpoints).
    public var caFile: String?
    /// `cert_file`, `key_file`: this node's client certificate and key (PEM), for etcd's client-cert auth.
    public var certFile: String?
    public var keyFile: String?

    /// etcd refuses a TTL below 1.5 × its election timeout (2 s by default, so 3 s).
    public static let minimumTTL: Duration = .seconds(3)
    /// A lease longer than this would keep a dead holder's addresses for too long to be useful.
    public static let maximumTTL: Duration = .seconds(300)
    public static let defaultTTL: Duration = .seconds(5)
    public static let defaultPrefix = "/floatip"

    public init(
        kind: Kind = .etcd, endpoints: [String], ttl: Duration = CoordinationConfig.defaultTTL,
        prefix: String = CoordinationConfig.defaultPrefix, user: String? = nil, passwordFile: String? = nil,
        caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil
    ) {
        self.kind = kind
        self.endpoints = endpoints
        self.ttl = ttl
        self.prefix = prefix
        self.user = user
        self.passwordFile = passwordFile
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// The key that says who holds `group` of `cluster`: `/floatip/web/vip`.
    public func key(cluster: String, group: String) -> String {
        "\(prefix)/\(cluster)/\(group)"
    }

    /// The TTL in whole seconds, as etcd takes it.
    public var ttlSeconds: Int64 { ttl.components.seconds }
}
