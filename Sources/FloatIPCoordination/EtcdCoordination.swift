import FloatIPCore

/// `coordination: { kind: etcd, … }` made real: one etcd client for the node, and a fenced mover
/// per group (docs/coordination.md).
///
/// The movers are made before the agent that consumes their faults; `onFault` connects the two
/// once the agent exists (faults reported before that are delivered then).
public final class EtcdCoordination: Sendable {
    public let config: CoordinationConfig
    public let cluster: String
    public let node: String
    public let client: EtcdClient
    private let relay = FaultRelay()

    /// Reads the password file and the TLS files now; throws a message naming the file.
    public init(config: CoordinationConfig, cluster: String, node: String) throws(EtcdSetupError) {
        var credentials: EtcdCredentials?
        if let user = config.user {
            guard let file = config.passwordFile else {
                throw EtcdSetupError(field: "user", message: "needs coordination.password_file")
            }
            credentials = try EtcdCredentials.load(user: user, passwordFile: file)
        }
        self.config = config
        self.cluster = cluster
        self.node = node
        client = try EtcdClient(
            settings: EtcdClientSettings(
                endpoints: config.endpoints, requestTimeout: config.ttl / 3, credentials: credentials,
                caFile: config.caFile, certFile: config.certFile, keyFile: config.keyFile))
    }

    /// `inner`, fenced by `group`'s election.
    public func fence(_ inner: any Mover, group: GroupConfig) -> EtcdFencedMover {
        let election = EtcdElection(
            client: client, key: config.key(cluster: cluster, group: group.name), name: node, ttl: config.ttl)
        let relay = self.relay
        return EtcdFencedMover(inner: inner, group: group, election: election) { group, reason in
            await relay.report(group: group, reason: reason)
        }
    }

    /// Where lost tenures go: `handler(group, reason)` (reason nil when the fault ends).
    public func onFault(_ handler: @escaping @Sendable (_ group: String, _ reason: String?) async -> Void) async {
        await relay.connect(handler)
    }

    /// Closes the etcd connections (after the groups were released).
    public func shutdown() async {
        await client.shutdown()
    }
}

/// Holds faults until a handler is connected, then passes them on.
actor FaultRelay {
    private var handler: (@Sendable (String, String?) async -> Void)?
    private var early: [(group: String, reason: String?)] = []

    func connect(_ handler: @escaping @Sendable (String, String?) async -> Void) async {
        self.handler = handler
        let held = early
        early = []
        for fault in held { await handler(fault.group, fault.reason) }
    }

    func report(group: String, reason: String?) async {
        guard let handler else {
            early.append((group, reason))
            return
        }
        await handler(group, reason)
    }
}
