import FloatIPAgent
import FloatIPChecks
import FloatIPCore
import FloatIPLinux
import Foundation
import Logging
import ServiceLifecycle

/// The agent put together from a validated config: the movers, the transport, the core, the hooks,
/// the checks, the API and coordination, as one `ServiceGroup` (Hummingbird's `buildApplication`
/// pattern). `floatip agent` only parses its arguments, reads the secret and runs the result.
public enum AgentAssembly {
    /// Builds the agent of `config` with the cluster's `secret`, logging through `logger`. Binds the
    /// peer socket and starts the API listeners (a bind failure stops here, before anything is
    /// claimed); nothing else runs until `AssembledAgent.run`. `environment` gives the state
    /// directory's default and systemd's notify socket. Throws `AgentAssemblyError`, the message
    /// `floatip agent` prints, having closed what it opened (or the `SystemError` of a system that
    /// refuses the agent's thread).
    public static func build(
        config cluster: ClusterConfig, secret: [UInt8], logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> AssembledAgent {
        let log = AgentLog(logger: logger)
        let moverSet: MoverSet
        do {
            moverSet = try MoverSet.make(
                for: cluster.groups, node: cluster.node, coordination: cluster.coordination, cluster: cluster.cluster,
                logger: log.part("mover"))
        } catch {
            throw AgentAssemblyError("\(error)")
        }
        let transport: UDPTransport
        do {
            transport = try await UDPTransport.bind(address: cluster.node.address, port: cluster.node.port, peers: cluster.peers)
        } catch {
            await moverSet.coordination?.shutdown()
            throw AgentAssemblyError("\(error)")
        }
        var speakers: [VRRPSpeaker] = []
        // What a failure from here on closes before it throws.
        func closeOpened() async {
            for speaker in speakers { speaker.stop() }
            await transport.close()
            await moverSet.coordination?.shutdown()
        }
        var token: String?
        if let path = cluster.api.tokenFile {
            do {
                token = try KeyFile.read(path, field: "api.token_file")
            } catch {
                await closeOpened()
                throw AgentAssemblyError(error.description)
            }
        }
        let eventLog = cluster.eventLog.map { EventLog(path: $0, node: cluster.node.name, logger: log.part("event_log")) }
        let metrics = AgentMetrics()
        let hooks = makeHooks(cluster, log: log, eventLog: eventLog)
        // Boot ids only grow, across restarts and clock steps: peers refuse every earlier boot's datagram.
        let clock = SystemClock()
        let boots = BootRecord(
            directory: BootRecord.directory(configured: cluster.stateDirectory, environment: environment),
            node: cluster.node.name, wallMilliseconds: clock.wallMilliseconds(), logger: log.part("state"))
        let agent: AgentCore
        do {
            agent = try AgentCore(
                config: cluster, secret: secret, clock: clock, transport: transport, movers: moverSet.movers, boots: boots,
                onEvent: { event in
                    log.event(event)
                    eventLog?.record(event)
                    metrics.observe(event)
                    hooks.handle(event)
                })
        } catch {
            await closeOpened()
            throw error
        }
        await moverSet.coordination?.onFault { await agent.setCoordinationFault(group: $0, reason: $1) }
        await moverSet.coordination?.onVacant { group in
            log.note("group \(group): its etcd key is free again; a claim that failed on it may be retried now")
            await agent.retryClaim(group: group)
        }
        do {
            speakers = try await attachVRRP(cluster, to: agent)
        } catch {
            await closeOpened()
            throw error
        }
        let checks: CheckService
        do {
            checks = try await makeChecks(cluster, secret: secret, agent: agent, log: log, eventLog: eventLog, metrics: metrics)
        } catch {
            await closeOpened()
            throw AgentAssemblyError("cannot set up the checks: \(error)")
        }
        let api = try await startAPI(
            cluster, agent: agent, token: token, eventLog: eventLog, metrics: metrics, log: log, cleanUp: closeOpened)
        let tcpLine = cluster.api.tcpEnabled
            ? " and \(cluster.api.listen)" + (token == nil ? " (read-only over TCP: no api.token_file)" : "")
            : " (no TCP: api.listen off)"
        log.note("starting: cluster \(cluster.cluster), \(cluster.peers.count) peer(s), \(cluster.groups.count) group(s), "
            + "\(cluster.checks.count) check(s)"
            + cluster.implicitInterfaceChecks.map { " + \($0.name)" }.joined()
            + (cluster.track.map { "; tracking \($0.targets.count) target(s)" } ?? "")
            + "; listening on \(cluster.node.address) port \(cluster.node.port); "
            + "API on \(cluster.api.socketPath())" + tcpLine
            + "; boot id \(boots.bootID)" + (boots.path.map { " (\($0))" } ?? ""))
        eventLog?.append("start", ["peers": .int(cluster.peers.count), "groups": .int(cluster.groups.count)])
        await checks.applyInitialHealth()
        // systemd (sd_notify; inactive without $NOTIFY_SOCKET): READY, STATUS and WATCHDOG from the loop, STOPPING.
        let systemd = await SystemdReporter.attach(to: agent, environment: environment, logger: log.part("systemd"))
        let parts = AssembledAgent.Parts(
            cluster: cluster, secret: secret, agent: agent, movers: moverSet, transport: transport, hooks: hooks, checks: checks,
            apiServers: api, log: log, eventLog: eventLog, boots: boots, systemd: systemd)
        return AssembledAgent(parts)
    }

    /// The hooks run off the agent's actor: `handle` only queues, so a hanging hook never delays failover.
    static func makeHooks(_ cluster: ClusterConfig, log: AgentLog, eventLog: EventLog?) -> HookRunner {
        HookRunner(node: cluster.node.name, groups: cluster.groups) { report in
            log.note("\(report)", level: report.succeeded ? .info : .warning)
            eventLog?.append("hook", [
                "group": .string(report.group), "hook": .string(report.hook), "role": .string(report.role),
                "ok": .bool(report.succeeded), "outcome": .string(report.outcome),
                "took_ms": .double(report.took.milliseconds),
            ])
        }
    }
}

/// Why the agent could not be put together: the message `floatip agent` prints before it exits 1.
public struct AgentAssemblyError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    init(_ message: String) {
        self.message = message
    }
}
