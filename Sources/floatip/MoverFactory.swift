import FloatIPCoordination
import FloatIPCore
import FloatIPLinux

/// The movers of one node: one per group, made from each group's `mover:` settings.
///
/// This is the one place that knows every mover kind; each mover module adds its kinds here.
struct MoverSet {
    /// The mover of each group, by group name.
    var movers: [String: any Mover]
    /// The local mover, when any group uses it (or a cloud mover composes with it): its keeper
    /// (lifetime renewal, restore) runs while the agent runs.
    var local: LocalMover?
    /// The groups the movers were made for.
    var groups: [GroupConfig] = []
    /// The etcd coordination fencing every mover, with `coordination:` (MoverFactory+Coordination.swift).
    var coordination: EtcdCoordination?

    /// Makes the movers for `groups` (only the group named `only`, when given). `node` is this node
    /// (movers that publish its address need it). With `coordination` (and `cluster`, the cluster's
    /// name), every mover is fenced by its group's etcd election. Throws a message naming the group
    /// and the problem.
    static func make(
        for groups: [GroupConfig], node: NodeConfig? = nil, only: String? = nil,
        coordination: CoordinationConfig? = nil, cluster: String = "",
        report: @escaping @Sendable (String) -> Void
    ) throws -> MoverSet {
        var local: LocalMover?
        func localMover() throws -> LocalMover {
            if let local { return local }
            do {
                let made = try LocalMover(report: report)
                local = made
                return made
            } catch {
                throw MoverSetupError(message: "cannot open the kernel's routing socket: \(error)")
            }
        }
        var movers: [String: any Mover] = [:]
        for (index, group) in groups.enumerated() where only == nil || only == group.name {
            switch group.mover.kind {
            case .local:
                movers[group.name] = try localMover()
            case .dns:
                movers[group.name] = try dnsMover(group, index: index, node: node, report: report)
            default:
                throw MoverSetupError(
                    message: "group \(group.name): mover \(group.mover.kind.rawValue) is not available in this version")
            }
        }
        var set = MoverSet(movers: movers, local: local, groups: groups)
        if let config = coordination { try set.fence(with: config, cluster: cluster, node: node) }
        return set
    }
}

/// Why the movers could not be made; the message names the group and the setting.
struct MoverSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
