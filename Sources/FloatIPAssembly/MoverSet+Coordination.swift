import FloatIPCoordination
import FloatIPCore

extension MoverSet {
    /// With `coordination: { kind: etcd }`, wraps every group's mover in an `EtcdFencedMover`: the
    /// addresses move only while this node holds the group's key in etcd (docs/coordination.md).
    mutating func fence(with config: CoordinationConfig, cluster: String, node: NodeConfig?) throws(MoverSetupError) {
        guard let node else {
            throw MoverSetupError(message: "coordination: the node's name is needed for its etcd keys")
        }
        let coordination: EtcdCoordination
        do {
            coordination = try EtcdCoordination(config: config, cluster: cluster, node: node.name)
        } catch {
            throw MoverSetupError(message: error.description)
        }
        for (name, mover) in movers {
            guard let group = groups.first(where: { $0.name == name }) else { continue }
            movers[name] = coordination.fence(mover, group: group)
        }
        self.coordination = coordination
    }

    /// Why `config`'s coordination cannot be set up (an unreadable password or TLS file), for
    /// `check-config`; nil when it can (or there is none). Reads the files; no network.
    static func coordinationProblem(_ config: ClusterConfig) -> (path: String, message: String)? {
        guard let coordination = config.coordination else { return nil }
        do {
            // Dropped at once: its HTTP client shuts down from deinit without blocking.
            _ = try EtcdCoordination(config: coordination, cluster: config.cluster, node: config.node.name)
            return nil
        } catch {
            return ("coordination.\(error.field)", error.message)
        }
    }
}
