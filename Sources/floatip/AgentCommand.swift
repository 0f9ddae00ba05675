import ArgumentParser
import FloatIPAgent
import FloatIPChecks
import FloatIPCore
import FloatIPLinux

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
        let signals = TerminationSignal.install()
        let cluster = try loadConfig(config)
        let secret = try readSecret(cluster.secretFile)
        let log = AgentLog(node: cluster.node.name, format: logFormat)
        let moverSet: MoverSet
        do {
            moverSet = try MoverSet.make(for: cluster.groups) { log.note($0) }
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
        let eventLog = cluster.eventLog.map { EventLog(path: $0, node: cluster.node.name, onFailure: { log.note($0) }) }
        let metrics = AgentMetrics()
        // Hooks run off the agent's actor: `handle` only queues, so a hanging hook never delays failover.
        let hooks = HookRunner(node: cluster.node.name, groups: cluster.groups) { report in
            log.note("\(report)")
            eventLog?.append("hook", [
                "group": .string(report.group), "hook": .string(report.hook), "role": .string(report.role),
                "ok": .bool(report.succeeded), "outcome": .string(report.outcome),
                "took_ms": .double(report.took.milliseconds),
            ])
        }
        let agent = AgentCore(
            config: cluster, secret: secret, clock: SystemClock(), transport: transport, movers: movers,
            onEvent: { event in
                log.event(event)
                eventLog?.record(event)
                metrics.observe(event)
                hooks.handle(event)
            })
        let scheduler: CheckScheduler
        let probes: [any CheckProbe]
        do {
            probes = try cluster.checks.map { try CheckProbes.make($0, context: CheckContext()) }
            scheduler = CheckScheduler(probes: probes)
        } catch {
            printError("cannot set up the checks: \(error)")
            throw ExitCode(1)
        }
        // The API listens before the agent starts: a bind failure stops the agent before it claims anything.
        let listen = cluster.api.listen
        let api = APIServer(listen: listen)
        do {
            _ = try await api.start { running in
                makeAPIApplication(
                    agent: agent, api: cluster.api, token: token, eventLog: eventLog, metrics: metrics,
                    note: { log.note($0) }, onServerRunning: running)
            }
        } catch {
            printError("\(error)")
            await transport.close()
            throw ExitCode(1)
        }
        log.note("starting: cluster \(cluster.cluster), \(cluster.peers.count) peer(s), \(cluster.groups.count) group(s), "
            + "\(cluster.checks.count) check(s); listening on \(cluster.node.address) port \(cluster.node.port); "
            + "API on \(listen)" + (token == nil ? " (read-only: no api.token_file)" : ""))
        eventLog?.append("start", ["peers": .int(cluster.peers.count), "groups": .int(cluster.groups.count)])
        // Until every required check has reported, the node is not healthy (it never claims on unknown health).
        await Self.applyHealth(cluster, scheduler.states(), to: agent)
        await agent.setCheckStates { scheduler.states() }
        let hooking = Task { await hooks.run() }
        await agent.start()
        let keeper = Task { await moverSet.local?.run() }
        let checking = Task { await scheduler.run() }
        let reconciling = Task {
            await MoverReconciler(agent: agent, intervals: moverSet.reconcileIntervals, note: { log.note($0) }).run()
        }
        let health = Task {
            for await event in scheduler.events {
                switch event {
                case .changed(let name, let from, let to, let detail):
                    log.note("check \(name): \(from) → \(to): \(detail)")
                    eventLog?.checkChanged(name: name, from: from.rawValue, to: to.rawValue, detail: detail)
                case .result(let name, let result, _):
                    metrics.observeCheck(name: name, passed: result.passed, duration: result.duration)
                }
                await Self.applyHealth(cluster, scheduler.states(), to: agent)
            }
        }

        let signal = await signals.wait()
        log.note("\(signal): handing over held groups before stopping")
        eventLog?.append("stop", ["signal": .string(signal)])
        await agent.setMaintenance(true)
        let clock = ContinuousClock()
        let deadline = clock.now + cluster.timers.handoverTimeout + .seconds(1)
        while clock.now < deadline, await agent.roles().contains(where: { $0.role == .holder }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
        reconciling.cancel()
        await agent.stop()
        checking.cancel()
        for probe in probes { await probe.shutdown() }
        health.cancel()
        keeper.cancel()
        for group in cluster.groups { try? await movers[group.name]?.release(group, epoch: 0) }
        let hookBound = (cluster.groups.map(\.hooks.timeout).max() ?? .zero) + .seconds(1)
        await Self.drain(hooks, running: hooking, within: hookBound)
        await transport.close()
        await api.stop()
        eventLog?.close()
        log.note("stopped")
    }
}

extension AgentLog.Format: ExpressibleByArgument {}

extension AgentCommand {
    /// Lets the hooks of the last role changes (the handover's) finish, for at most `bound`; then cuts them off.
    static func drain(_ hooks: HookRunner, running: Task<Void, Never>, within bound: Duration) async {
        hooks.finish()
        let watchdog = Task {
            try? await Task.sleep(for: bound)
            running.cancel()
        }
        await running.value
        watchdog.cancel()
    }
}

extension AgentCommand {
    /// Folds the checks' current states into each group's condition and hands it to the agent.
    static func applyHealth(_ cluster: ClusterConfig, _ states: [CheckState], to agent: AgentCore) async {
        for group in cluster.groups {
            await agent.setCondition(HealthSummary.condition(for: group, checks: states, maintenance: false), group: group.name)
        }
    }
}
