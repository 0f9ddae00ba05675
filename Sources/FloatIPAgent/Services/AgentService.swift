import FloatIPCore
import FloatIPLinux
import Logging
import ServiceLifecycle

/// The decision loop as a service: starts the agent; on graceful shutdown hands every held group
/// to the next-ranked healthy peer (make-before-break, bounded), stops, and releases what is left.
///
/// It is the last service of the group, so it stops first: the transport, the checks and the
/// address keeper still run while it hands over.
public struct AgentService: Service {
    let agent: AgentCore
    let movers: [String: any Mover]
    /// How long the handover may take before the agent releases anyway.
    let handoverBound: Duration
    let logger: Logger

    public init(agent: AgentCore, movers: [String: any Mover], handoverBound: Duration, logger: Logger = .silent) {
        self.agent = agent
        self.movers = movers
        self.handoverBound = handoverBound
        self.logger = logger
    }

    public func run() async throws {
        await agent.start()
        try? await gracefulShutdown()
        // Cancelled (not a graceful stop): no handover, but still let go of the addresses.
        if !Task.isCancelled { await handOver() }
        await agent.stop()
        // The config and movers of now: a reload may have added or removed groups since the start.
        let (groups, current) = await (agent.config.groups, agent.movers)
        for group in groups {
            do {
                try await (current[group.name] ?? movers[group.name])?.release(group, epoch: 0)
            } catch {
                logger.error("stopping: cannot release \(group.name): \(error)", metadata: ["group": "\(group.name)"])
            }
        }
    }

    /// Maintenance on every group, then waits until no group is held here (or the bound passes).
    private func handOver() async {
        let held = await agent.roles().filter { $0.role == .holder }.map(\.group)
        guard !held.isEmpty else { return }
        logger.info("stopping: handing over \(held.joined(separator: ", ")) before releasing")
        await agent.setMaintenance(true)
        let left = await agent.waitUntilReleased(within: handoverBound)
        if !left.isEmpty, !Task.isCancelled {
            logger.warning(
                "stopping: no peer took \(left.joined(separator: ", ")) within \(handoverBound.shortDescription); releasing anyway")
        }
    }
}
