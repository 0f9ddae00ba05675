import ArgumentParser
import FloatIPAgent
import FloatIPChecks
import FloatIPCore
import FloatIPLinux
import Foundation
import ServiceLifecycle

/// `floatip agent --config FILE`: the daemon.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent: talk to the peers, decide, and move the floating addresses.",
        discussion: """
            Runs until SIGINT or SIGTERM. A clean stop hands every held group to the next-ranked \
            healthy peer first (make-before-break, at most handover_timeout) and then releases. \
            Killed (SIGKILL, OOM), it cannot release: the addresses expire from the interface by \
            themselves after address_lifetime.

            Needs root (CAP_NET_ADMIN, CAP_NET_RAW) for the local mover. Logs one line per event to \
            standard error.
            """
    )

    @Option(name: .shortAndLong, help: "The node's YAML config file.") var config: String
    @Option(help: "Log lines as text or json.") var logFormat: AgentLog.Format = .text

    func run() async throws {
        // Before any secret is read: no core file (the watchdog's SIGABRT, a crash) may hold one.
        do {
            try CoreDumps.disable()
        } catch {
            printError("warning: cannot switch core dumps off (\(error)); a crash could write the secrets to disk")
        }
        let signals = TerminationSignal.install(hangup: true)
        let cluster = try loadConfig(config)
        let secret = try readSecret(cluster.secretFile)
        let log = AgentLog(node: cluster.node.name, format: logFormat)
        let moverSet: MoverSet
        do {
            moverSet = try MoverSet.make(
                for: cluster.groups, node: cluster.node, coordination: cluster.coordination, cluster: cluster.cluster,
                logger: log.part("mover"))
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let transport: UDPTransport
        do {
            transport = try await UDPTransport.bind(address: cluster.node.address, port: cluster.node.port, peers: cluster.peers)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let movers = moverSet.movers
        let token = try cluster.api.tokenFile.map { try readKeyFile($0, field: "api.token_file") }
        let eventLog = cluster.eventLog.map { EventLog(path: $0, node: cluster.node.name, logger: log.part("event_log")) }
        let metrics = AgentMetrics()
        // Hooks run off the agent's actor: `handle` only queues, so a hanging hook never delays failover.
        let hooks = HookRunner(node: cluster.node.name, groups: cluster.groups) { report in
            log.note("\(report)", level: report.succeeded ? .info : .warning)
            eventLog?.append("hook", [
                "group": .string(report.group), "hook": .string(report.hook), "role": .string(report.role),
                "ok": .bool(report.succeeded), "outcome": .string(report.outcome),
                "took_ms": .double(report.took.milliseconds),
            ])
        }
        // Boot ids only grow, across restarts and clock steps: peers refuse every earlier boot's datagram.
        let clock = SystemClock()
        let boots = BootRecord(
            directory: BootRecord.directory(
                configured: cluster.stateDirectory, environment: ProcessInfo.processInfo.environment),
            node: cluster.node.name, wallMilliseconds: clock.wallMilliseconds(), logger: log.part("state"))
        let agent = try AgentCore(
            config: cluster, secret: secret, clock: clock, transport: transport, movers: movers, boots: boots,
            onEvent: { event in
                log.event(event)
                eventLog?.record(event)
                metrics.observe(event)
                hooks.handle(event)
            })
        await moverSet.coordination?.onFault { await agent.setCoordinationFault(group: $0, reason: $1) }
        await moverSet.coordination?.onVacant { group in
            log.note("group \(group): its etcd key is free again; a claim that failed on it may be retried now")
            await agent.retryClaim(group: group)
        }
        let checks: CheckService
        do {
            let context = CheckContext(
                witness: WitnessIdentity(secret: secret, cluster: cluster.cluster, node: cluster.node.name))
            let probes = try cluster.runnableChecks.map { try CheckProbes.make($0, context: context) }
            if let track = probes.lazy.compactMap({ $0 as? TrackProbe }).first {
                await agent.setTrackTargets { track.targets().map(AgentStatus.TrackTarget.init) }
            }
            checks = CheckService(
                cluster: cluster, scheduler: CheckScheduler(probes: probes), probes: probes, agent: agent,
                onEvent: { event in
                    switch event {
                    case .changed(let name, let from, let to, let detail):
                        log.note(
                            TrackVerdictLine.line(cluster.track, check: name, from: from, to: to, detail: detail)
                                ?? "check \(name): \(from) → \(to): \(detail)",
                            level: to == .failing ? .warning : .info)
                        eventLog?.checkChanged(name: name, from: from.rawValue, to: to.rawValue, detail: detail)
                    case .result(let name, let result, _):
                        metrics.observeCheck(name: name, passed: result.passed, duration: result.duration)
                    }
                })
        } catch {
            printError("cannot set up the checks: \(error)")
            await transport.close()
            throw ExitCode(1)
        }
        // The API listens before the agent starts: a bind failure stops the agent before it claims anything.
        // The Unix socket is the CLI's way in; TCP (unless `api.listen: off`) serves remote monitoring.
        let socketPath = cluster.api.socketPath()
        var listeners: [APIListener] = [.unixSocket(path: socketPath)]
        if cluster.api.tcpEnabled { listeners.append(.listen(cluster.api)) }
        var apiServers: [APIServer] = []
        for listener in listeners {
            let server = APIServer(listener: listener)
            do {
                _ = try await server.start { running in
                    makeAPIApplication(
                        agent: agent, api: cluster.api, listener: listener, token: token, eventLog: eventLog,
                        metrics: metrics, logger: log.part("api"), onServerRunning: running)
                }
            } catch {
                printError("\(error)")
                for started in apiServers { await started.stop() }
                await transport.close()
                throw ExitCode(1)
            }
            apiServers.append(server)
        }
        let tcpLine = cluster.api.tcpEnabled
            ? " and \(cluster.api.listen)" + (token == nil ? " (read-only over TCP: no api.token_file)" : "")
            : " (no TCP: api.listen off)"
        log.note("starting: cluster \(cluster.cluster), \(cluster.peers.count) peer(s), \(cluster.groups.count) group(s), "
            + "\(cluster.checks.count) check(s)"
            + cluster.implicitInterfaceChecks.map { " + \($0.name)" }.joined()
            + (cluster.track.map { "; tracking \($0.targets.count) target(s)" } ?? "")
            + "; listening on \(cluster.node.address) port \(cluster.node.port); "
            + "API on \(socketPath)" + tcpLine
            + "; boot id \(boots.bootID)" + (boots.path.map { " (\($0))" } ?? ""))
        eventLog?.append("start", ["peers": .int(cluster.peers.count), "groups": .int(cluster.groups.count)])
        await checks.applyInitialHealth()
        // systemd (sd_notify; inactive without $NOTIFY_SOCKET): READY, STATUS and WATCHDOG from the loop, STOPPING.
        let systemd = await SystemdReporter.attach(to: agent, logger: log.part("systemd"))

        // Started in this order, shut down in reverse: the agent hands over first, while the
        // transport, the checks and the address keeper still run; the hooks drain after it.
        let handover = cluster.timers.handoverTimeout + .seconds(1)
        let hookBound = (cluster.groups.map(\.hooks.timeout).max() ?? .zero) + .seconds(1)
        var services: [any Service] = [TransportService(transport: transport), HookService(hooks: hooks, drainBound: hookBound)]
        if let local = moverSet.local { services.append(AddressKeeperService(mover: local)) }
        services += [
            checks, APIService(servers: apiServers),
            AgentService(agent: agent, movers: movers, handoverBound: handover, logger: log.part("agent")),
            // Last, so it stops first: no re-claim at a provider while the agent hands over.
            ReconcilerService(
                reconciler: MoverReconciler(
                    agent: agent, intervals: moverSet.reconcileIntervals, logger: log.part("reconciler"))),
        ]
        var quiet = log.logger
        quiet.logLevel = .warning
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }, logger: quiet)
        // Past this, the group cancels what still runs (the agent then releases without handing over).
        configuration.maximumGracefulShutdownDuration = handover + hookBound + .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        // keepalived reloads on SIGHUP; floatip has no reload, and SIGHUP's default would end the
        // agent without handing over. It stays running and says what the file on disk holds now.
        let configFile = config
        signals.onHangup {
            let verdict = configFileVerdict(configFile, running: cluster)
            log.note("SIGHUP: there is no reload; the agent keeps running with the config it started with. "
                + verdict + ". To apply a change: floatip check-config \(configFile), then restart the agent "
                + "(a clean stop hands the addresses over first)")
            eventLog?.append("hangup", ["config": .string(verdict)])
        }
        let stopper = Task {
            let signal = await signals.wait()
            systemd?.stopping()
            log.note("\(signal): stopping")
            eventLog?.append("stop", ["signal": .string(signal)])
            await group.triggerGracefulShutdown()
        }
        do {
            try await group.run()
        } catch {
            log.note("stopped by an error: \(error)", level: .error)
        }
        stopper.cancel()
        boots.flush()
        await moverSet.coordination?.shutdown()
        eventLog?.close()
        log.note("stopped")
    }
}

extension AgentLog.Format: ExpressibleByArgument {}
