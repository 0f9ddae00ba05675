import FloatIPChecks
import FloatIPCore
import ServiceLifecycle

/// The checks as a service: runs the scheduler and folds every state change into the groups'
/// conditions on the agent; on shutdown stops the checks and shuts their probes down.
public struct CheckService: Service {
    let cluster: ClusterConfig
    let scheduler: CheckScheduler
    let probes: [any CheckProbe]
    let agent: AgentCore
    let onEvent: @Sendable (CheckEvent) -> Void

    public init(
        cluster: ClusterConfig, scheduler: CheckScheduler, probes: [any CheckProbe], agent: AgentCore,
        onEvent: @escaping @Sendable (CheckEvent) -> Void
    ) {
        self.cluster = cluster
        self.scheduler = scheduler
        self.probes = probes
        self.agent = agent
        self.onEvent = onEvent
    }

    /// Hands the checks' current states to the agent once, before it starts: until every required
    /// check has reported, a group is not healthy (a node never claims on unknown health).
    public func applyInitialHealth() async {
        await agent.setCheckStates { [scheduler] in scheduler.states() }
        await Self.apply(cluster, scheduler.states(), to: agent)
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await scheduler.run() }
            tasks.addTask {
                for await event in scheduler.events {
                    onEvent(event)
                    await Self.apply(cluster, scheduler.states(), to: agent)
                }
            }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }
        for probe in probes { await probe.shutdown() }
    }

    /// Folds the checks' states into each group's condition and hands it to the agent.
    static func apply(_ cluster: ClusterConfig, _ states: [CheckState], to agent: AgentCore) async {
        for group in cluster.groups {
            await agent.setCondition(
                HealthSummary.condition(for: group, checks: states, maintenance: false), group: group.name)
        }
    }
}
