import FloatIPAgent
import FloatIPCore
import FloatIPLinux
import Logging
import ServiceLifecycle

/// An agent built by `AgentAssembly.build`: its services in order, as one `ServiceGroup`, and what
/// outlives the group (the boot record, coordination, the event log).
public struct AssembledAgent: Sendable {
    /// What `build` made, handed over in one piece.
    struct Parts: Sendable {
        var cluster: ClusterConfig
        var secret: [UInt8]
        var agent: AgentCore
        var movers: MoverSet
        var transport: UDPTransport
        var hooks: HookRunner
        var checks: CheckService
        var apiServers: [APIServer]
        var log: AgentLog
        var eventLog: EventLog?
        var boots: BootRecord
        var systemd: SystemdReporter?
    }

    /// The running node.
    public let agent: AgentCore
    /// The movers of the groups (fenced by etcd with `coordination:`).
    public let movers: MoverSet
    /// The long-running parts in the order they start; they shut down in reverse.
    public let services: [any Service]
    /// The services as one group, with a graceful bound of handover + hook drain + 5 s.
    public let group: ServiceGroup
    /// Applies the config file again on SIGHUP (`hangup`).
    public let reloader: ConfigReloader
    private let parts: Parts

    init(_ parts: Parts) {
        self.parts = parts
        reloader = ConfigReloader(parts)
        agent = parts.agent
        movers = parts.movers
        let cluster = parts.cluster
        // Started in this order, shut down in reverse: the agent hands over first, while the
        // transport, the checks and the address keeper still run; the hooks drain after it.
        let (handover, hookBound) = Self.stopBounds(cluster)
        var services: [any Service] = [
            TransportService(transport: parts.transport), HookService(hooks: parts.hooks, drainBound: hookBound),
        ]
        if let local = parts.movers.local { services.append(AddressKeeperService(mover: local)) }
        if let speaker = parts.movers.bgp { services.append(BGPSpeakerService(speaker: speaker)) }
        services += [
            parts.checks, APIService(servers: parts.apiServers),
            AgentService(agent: parts.agent, movers: parts.movers.movers, handoverBound: handover, logger: parts.log.part("agent")),
            // Last, so it stops first: no re-claim at a provider while the agent hands over.
            ReconcilerService(
                reconciler: MoverReconciler(
                    agent: parts.agent, intervals: parts.movers.reconcileIntervals, logger: parts.log.part("reconciler"))),
        ]
        self.services = services
        var quiet = parts.log.logger
        quiet.logLevel = .warning
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }, logger: quiet)
        // Past this, the group cancels what still runs (the agent then releases without handing over).
        configuration.maximumGracefulShutdownDuration = Self.stopBound(cluster)
        group = ServiceGroup(configuration: configuration)
    }

    /// How long the agent's handover and the hooks' drain may each take in a clean stop.
    static func stopBounds(_ cluster: ClusterConfig) -> (handover: Duration, hooks: Duration) {
        (cluster.timers.handoverTimeout + .seconds(1), (cluster.groups.map(\.hooks.timeout).max() ?? .zero) + .seconds(1))
    }

    /// The longest a clean stop takes before the services still running are cancelled.
    public static func stopBound(_ cluster: ClusterConfig) -> Duration {
        let (handover, hooks) = stopBounds(cluster)
        return handover + hooks + .seconds(5)
    }

    /// Runs the services until `stopSignal` returns (the name of the signal that asks for a stop:
    /// the group then shuts down gracefully) or they stop by themselves; then saves the boot record,
    /// leaves etcd and closes the event log.
    public func run(stoppingOn stopSignal: @escaping @Sendable () async -> String) async {
        let stopper = Task { [self] in
            let signal = await stopSignal()
            parts.systemd?.stopping()
            parts.log.note("\(signal): stopping")
            parts.eventLog?.append("stop", ["signal": .string(signal)])
            await group.triggerGracefulShutdown()
        }
        do {
            try await group.run()
        } catch {
            parts.log.note("stopped by an error: \(error)", level: .error)
        }
        stopper.cancel()
        parts.boots.flush()
        await parts.movers.coordination?.shutdown()
        parts.eventLog?.close()
        parts.log.note("stopped")
    }

    /// SIGHUP: reloads `configFile` (`ConfigReloader`), after any reload still running.
    public func hangup(configFile: String) {
        let reloader = self.reloader
        Task { await reloader.reload(configFile) }
    }

    /// Closes what `build` opened, for an agent that is not run: the API listeners, the peer socket,
    /// coordination and the event log.
    public func discard() async {
        for server in parts.apiServers { await server.stop() }
        await parts.transport.close()
        await parts.movers.coordination?.shutdown()
        parts.eventLog?.close()
    }
}
