import FloatIPCore
import Synchronization

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
    private let relay = SignalRelay<(group: String, reason: String?)>()
    private let vacancies = SignalRelay<String>()
    /// Every fenced mover made, to stop their vacancy watches at shutdown.
    private let fenced = Mutex<[EtcdFencedMover]>([])

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
        let vacancies = self.vacancies
        let mover = EtcdFencedMover(
            inner: inner, group: group, election: election,
            onFault: { group, reason in await relay.report((group, reason)) },
            onVacant: { group in await vacancies.report(group) })
        fenced.withLock { $0.append(mover) }
        return mover
    }

    /// Where lost tenures go: `handler(group, reason)` (reason nil when the fault ends).
    public func onFault(_ handler: @escaping @Sendable (_ group: String, _ reason: String?) async -> Void) async {
        await relay.connect { await handler($0.group, $0.reason) }
    }

    /// Where "the key is free" goes: after this node's campaign for `group` lost to another node, that
    /// node's key is gone, so the claim may be tried again now (`AgentCore.retryClaim`).
    public func onVacant(_ handler: @escaping @Sendable (_ group: String) async -> Void) async {
        await vacancies.connect(handler)
    }

    /// Stops the vacancy watches and closes the etcd connections (after the groups were released).
    public func shutdown() async {
        for mover in fenced.withLock({ $0 }) { await mover.stopWatchingForVacancy() }
        await client.shutdown()
    }
}

/// Holds signals until a handler is connected, then passes them on.
actor SignalRelay<Signal: Sendable> {
    private var handler: (@Sendable (Signal) async -> Void)?
    private var early: [Signal] = []

    func connect(_ handler: @escaping @Sendable (Signal) async -> Void) async {
        self.handler = handler
        let held = early
        early = []
        for signal in held { await handler(signal) }
    }

    func report(_ signal: Signal) async {
        guard let handler else {
            early.append(signal)
            return
        }
        await handler(signal)
    }
}
