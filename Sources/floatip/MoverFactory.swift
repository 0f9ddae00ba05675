import FloatIPCloud
import FloatIPCoordination
import FloatIPCore
import FloatIPLinux
import Foundation
import Logging

/// The movers of one node: one per group, made from each group's `mover:` settings.
///
/// This is the one place that knows every mover kind; each mover module adds its kinds here.
struct MoverSet {
    /// The mover of each group, by group name.
    var movers: [String: any Mover]
    /// The local mover, when any group uses it (or a cloud mover composes with it): its keeper
    /// (lifetime renewal, restore) runs while the agent runs.
    var local: LocalMover?
    /// How often the agent asks each cloud mover's provider who holds the group (`reconcile_interval`), by group.
    var reconcileIntervals: [String: Duration] = [:]
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
        logger: Logger
    ) throws -> MoverSet {
        var local: LocalMover?
        func localMover() throws -> LocalMover {
            if let local { return local }
            do {
                let made = try LocalMover(logger: logger)
                local = made
                return made
            } catch {
                throw MoverSetupError(message: "cannot open the kernel's routing socket: \(error)")
            }
        }
        func cloud<P: CloudProvider>(_ provider: P.Type, _ group: GroupConfig) throws -> any Mover {
            let composed = CloudMovers.composesWithLocal(P.self, group: group) ? try localMover() : nil
            do {
                return try CloudMovers.make(P.self, group: group, local: composed, nodeAddress: node?.address, logger: logger.withGroup(group))
            } catch {
                throw MoverSetupError(message: error.description)
            }
        }
        var movers: [String: any Mover] = [:]
        var intervals: [String: Duration] = [:]
        for (index, group) in groups.enumerated() where only == nil || only == group.name {
            if group.mover.kind == .local {
                movers[group.name] = try localMover()
            } else if group.mover.kind == .dns {
                movers[group.name] = try dnsMover(group, index: index, node: node, logger: logger.withGroup(group))
            } else if let provider = cloudProvider(group.mover.kind) {
                movers[group.name] = try cloud(provider, group)
                intervals[group.name] = CloudMovers.reconcileInterval(provider, group: group)
            } else {
                throw MoverSetupError(
                    message: "group \(group.name): mover \(group.mover.kind.rawValue) is not available in this version")
            }
        }
        var set = MoverSet(movers: movers, local: local, reconcileIntervals: intervals, groups: groups)
        if let config = coordination { try set.fence(with: config, cluster: cluster, node: node) }
        return set
    }

    /// The provider behind each cloud mover kind (the DNS movers over HTTP APIs, `cloudflare` and
    /// `route53`, included); nil for the kinds that are not cloud movers (or not built yet).
    static func cloudProvider(_ kind: MoverKind) -> (any CloudProvider.Type)? {
        switch kind {
        case .aws: AWSProvider.self
        case .digitalocean: DigitalOceanProvider.self
        case .hetzner: HetznerCloudProvider.self
        case .hetznerRobot: HetznerRobotProvider.self
        case .vultr: VultrProvider.self
        case .linode: LinodeProvider.self
        case .openstack: OpenStackProvider.self
        case .upcloud: UpCloudProvider.self
        case .lunanode: LunaNodeProvider.self
        case .cloudflare: CloudflareProvider.self
        case .route53: Route53Provider.self
        case .local, .dns: nil
        }
    }

    /// Problems with a group's mover options that the YAML parser cannot see (each cloud mover
    /// checks its own keys), credentials read to check they are there: for `check-config`. `node`
    /// is this node (the DNS movers publish its address).
    static func optionProblems(for group: GroupConfig, node: NodeConfig? = nil) -> [MoverOptionProblem] {
        guard let provider = cloudProvider(group.mover.kind) else { return [] }
        return problems(provider, group, node: node)
    }

    private static func problems<P: CloudProvider>(_: P.Type, _ group: GroupConfig, node: NodeConfig?) -> [MoverOptionProblem] {
        CloudMovers.problems(P.self, group: group, credentials: true, nodeAddress: node?.address)
    }
}

/// Why the movers could not be made; the message names the group and the setting.
struct MoverSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
