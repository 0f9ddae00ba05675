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
    /// Reloaded configs (`reconfigure`) with the checks they add, taken in turn with the checks' events.
    private let reloads = AsyncStream.makeStream(of: (ClusterConfig, Set<String>).self)

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

    /// Takes a reloaded config: the checks change as `CheckScheduler.replace` says (`made`: the probes
    /// of the checks that are new or changed), and each group's condition is folded again, with its
    /// priority and `checks:` list, and handed over.
    public func reconfigure(_ new: ClusterConfig, made: [String: any CheckProbe]) {
        let known = Set(scheduler.states().map(\.config.name))
        scheduler.replace(with: new.runnableChecks, made: made)
        reloads.continuation.yield((new, Set(new.runnableChecks.map(\.name)).subtracting(known)))
    }

    /// A check's event, or a reload.
    private enum Input: Sendable {
        case check(CheckEvent)
        case reload(ClusterConfig, added: Set<String>)
    }

    public func run() async throws {
        let (inputs, input) = AsyncStream.makeStream(of: Input.self)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await scheduler.run() }
            tasks.addTask {
                for await event in scheduler.events { input.yield(.check(event)) }
            }
            tasks.addTask { [reloads] in
                for await (config, added) in reloads.stream { input.yield(.reload(config, added: added)) }
            }
            tasks.addTask { [cluster] in
                // Every run reports a result, but the agent only needs to hear of a changed
                // condition: an unchanged one would be a decision pass (a wake-up) for nothing.
                var cluster = cluster
                var applied: [String: LocalCondition]?
                // Checks a reload added that have not reported yet: left out until they do, so that
                // adding a required check does not put a holder in fault before its first run.
                var pending: Set<String> = []
                for await next in inputs {
                    switch next {
                    case .check(let event): onEvent(event)
                    case .reload(let config, let added):
                        // Always handed over: a group remade by the reload starts without a condition.
                        cluster = config
                        applied = nil
                        pending.formUnion(added)
                    }
                    var states = scheduler.states()
                    pending = pending.filter { name in states.contains { $0.config.name == name && $0.state == .unknown } }
                    states.removeAll { pending.contains($0.config.name) }
                    let conditions = Self.conditions(cluster, states)
                    guard conditions != applied else { continue }
                    applied = conditions
                    await Self.apply(conditions, in: cluster, to: agent)
                }
            }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }
        // The probes of now: a reload may have replaced some (the replaced ones shut down by themselves).
        for probe in scheduler.probes() { await probe.shutdown() }
    }

    /// Folds the checks' states into each group's condition and hands it to the agent.
    static func apply(_ cluster: ClusterConfig, _ states: [CheckState], to agent: AgentCore) async {
        await apply(conditions(cluster, states), in: cluster, to: agent)
    }

    /// Each group's condition from the checks' states, by group name.
    static func conditions(_ cluster: ClusterConfig, _ states: [CheckState]) -> [String: LocalCondition] {
        Dictionary(
            cluster.groups.map { ($0.name, HealthSummary.condition(for: $0, checks: states, maintenance: false)) },
            uniquingKeysWith: { first, _ in first })
    }

    private static func apply(
        _ conditions: [String: LocalCondition], in cluster: ClusterConfig, to agent: AgentCore
    ) async {
        for group in cluster.groups {
            if let condition = conditions[group.name] { await agent.setCondition(condition, group: group.name) }
        }
    }
}
