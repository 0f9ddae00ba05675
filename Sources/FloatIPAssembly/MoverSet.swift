import FloatIPCloud
import FloatIPCoordination
import FloatIPCore
import FloatIPLinux
import Foundation
import Logging

/// The movers of one node: one per group, made from each group's `mover:` settings.
///
/// This is the one place that knows every mover kind (`MoverSet.Entry`); each mover module adds
/// its kinds here.
public struct MoverSet: Sendable {
    /// The mover of each group, by group name.
    public var movers: [String: any Mover]
    /// The local mover, when any group uses it (or a cloud mover composes with it): its keeper
    /// (lifetime renewal, restore) runs while the agent runs.
    public var local: LocalMover?
    /// How often the agent asks each cloud mover's provider who holds the group (`reconcile_interval`), by group.
    public var reconcileIntervals: [String: Duration] = [:]
    /// The groups the movers were made for.
    public var groups: [GroupConfig] = []
    /// The etcd coordination fencing every mover, with `coordination:` (MoverSet+Coordination.swift).
    public var coordination: EtcdCoordination?
    /// The BGP speaker every `bgp` group shares (MoverSet+BGP.swift): its sessions run while the agent runs.
    public var bgp: BGPSpeaker?

    /// Makes the movers for `groups` (only the group named `only`, when given). `node` is this node
    /// (movers that publish its address need it). With `coordination` (and `cluster`, the cluster's
    /// name), every mover is fenced by its group's etcd election. Throws a message naming the group
    /// and the problem.
    /// `existing`: the running agent's movers (a reload adds groups): its local mover, whose keeper
    /// runs already, and its etcd coordination are used instead of new ones.
    public static func make(
        for groups: [GroupConfig], node: NodeConfig? = nil, only: String? = nil,
        coordination: CoordinationConfig? = nil, cluster: String = "",
        reusing existing: MoverSet? = nil, logger: Logger
    ) throws(MoverSetupError) -> MoverSet {
        var local: LocalMover? = existing?.local
        func localMover() throws(MoverSetupError) -> LocalMover {
            if let local { return local }
            do {
                let made = try LocalMover(logger: logger)
                local = made
                return made
            } catch {
                throw MoverSetupError(message: "cannot open the kernel's routing socket: \(error)")
            }
        }
        func cloud<P: CloudProvider>(_ provider: P.Type, _ group: GroupConfig) throws(MoverSetupError) -> any Mover {
            let composed = CloudMovers.composesWithLocal(P.self, group: group) ? try localMover() : nil
            do {
                return try CloudMovers.make(P.self, group: group, local: composed, nodeAddress: node?.address, logger: logger.withGroup(group))
            } catch {
                throw MoverSetupError(message: error.description)
            }
        }
        var movers: [String: any Mover] = [:]
        var intervals: [String: Duration] = [:]
        let bgpGroups = groups.enumerated().filter { (only == nil || only == $0.element.name) && $0.element.mover.kind == .bgp }
        let bgp = try bgpMovers(bgpGroups.map { ($0.offset, $0.element) }, node: node, existing: existing?.bgp, logger: logger)
        for (index, group) in groups.enumerated() where only == nil || only == group.name {
            switch entry(for: group.mover.kind) {
            case .local:
                movers[group.name] = try localMover()
            case .dns:
                movers[group.name] = try dnsMover(group, index: index, node: node, logger: logger.withGroup(group))
            case .cloud(let provider):
                movers[group.name] = try cloud(provider, group)
                intervals[group.name] = CloudMovers.reconcileInterval(provider, group: group)
            case .script:
                let mover = try scriptMover(group, node: node, logger: logger.withGroup(group))
                movers[group.name] = mover
                if mover.settings.holder != nil { intervals[group.name] = mover.settings.reconcileInterval }
            case .azureLB:
                let composed = group.interface != nil ? try localMover() : nil
                movers[group.name] = try azureLBMover(group, local: composed, node: node, logger: logger.withGroup(group))
            case .bgp:
                movers[group.name] = bgp?.movers[group.name]
            }
        }
        var set = MoverSet(movers: movers, local: local, reconcileIntervals: intervals, groups: groups)
        set.bgp = bgp?.speaker ?? existing?.bgp
        if let running = existing?.coordination {
            for group in groups { set.movers[group.name] = set.movers[group.name].map { running.fence($0, group: group) } }
            set.coordination = running
        } else if let config = coordination {
            try set.fence(with: config, cluster: cluster, node: node)
        }
        return set
    }

    /// The provider behind each cloud mover kind (the DNS movers over HTTP APIs, `cloudflare` and
    /// `route53`, included); nil for the kinds that are not cloud movers.
    public static func cloudProvider(_ kind: MoverKind) -> (any CloudProvider.Type)? {
        guard case .cloud(let provider) = entry(for: kind) else { return nil }
        return provider
    }

    /// Problems with a group's mover options that the YAML parser cannot see (each cloud mover
    /// checks its own keys), credentials read to check they are there: for `check-config`. `node`
    /// is this node (the DNS movers publish its address).
    public static func optionProblems(for group: GroupConfig, node: NodeConfig? = nil) -> [MoverOptionProblem] {
        switch entry(for: group.mover.kind) {
        case .script: return scriptOptionProblems(group, programs: true)
        case .bgp: return bgpOptionProblems(group, node: node)
        case .azureLB: return azureLBOptionProblems(group)
        default: break
        }
        guard let provider = cloudProvider(group.mover.kind) else { return [] }
        return problems(provider, group, node: node)
    }

    private static func problems<P: CloudProvider>(_: P.Type, _ group: GroupConfig, node: NodeConfig?) -> [MoverOptionProblem] {
        CloudMovers.problems(P.self, group: group, credentials: true, nodeAddress: node?.address)
    }
}

/// Why the movers could not be made; the message names the group and the setting.
public struct MoverSetupError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
