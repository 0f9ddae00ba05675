import ArgumentParser
import FloatIPAssembly
import FloatIPLinux

/// `floatip agent --config FILE`: the daemon.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent: talk to the peers, decide, and move the floating addresses.",
        discussion: """
            Runs until SIGINT or SIGTERM. SIGHUP reloads the config file: groups added start, groups \
            removed are handed over, changed priorities, addresses, hooks and timers take effect in \
            place, unchanged groups see no transition, and a file that is invalid or changes what only \
            a restart can (node, cluster, api, track…) changes nothing and says why in the log. A clean stop hands every held group to the next-ranked \
            healthy peer first (make-before-break, at most handover_timeout) and then releases. \
            Killed (SIGKILL, OOM), it cannot release: the addresses expire from the interface by \
            themselves after address_lifetime.

            --maintenance starts the node in maintenance: it claims nothing until `floatip \
            maintenance off` (bring a node up beside a cluster it must not disturb yet, as in the \
            last step of a migration from keepalived: docs/vrrp.md).

            Needs root (CAP_NET_ADMIN, CAP_NET_RAW) for the local mover. Logs one line per event to \
            standard error.
            """
    )

    @Option(name: .shortAndLong, help: "The node's YAML config file.") var config: String
    @Option(help: "Log lines as text or json.") var logFormat: AgentLog.Format = .text
    @Flag(help: "Start in maintenance: claim nothing until `floatip maintenance off`.") var maintenance = false

    func run() async throws {
        // Before any secret is read: no core file (the watchdog's SIGABRT, a crash) may hold one.
        do {
            try CoreDumps.disable()
        } catch {
            printError("warning: cannot switch core dumps off (\(error)); a crash could write the secrets to disk")
        }
        let signals = TerminationSignal.install(hangup: true)
        let yaml = try readConfigText(config)
        let cluster = try parseConfig(yaml, file: config)
        let secret = try readSecret(cluster.secretFile)
        let log = AgentLog(node: cluster.node.name, format: logFormat)
        // check-config's rules, run here too: what they find is logged at start (a problem as an
        // error, a warning as a warning). The agent still starts: a problem that stops it fails
        // below with its own words, and one that does not (a check's missing program) leaves the
        // node running and unhealthy for the groups that check covers, as it always did.
        let found = ConfigValidation.validate(cluster, file: config, yaml: yaml)
        for problem in found.problems { log.logger.error("config: \(problem)") }
        for warning in found.warnings { log.logger.warning("config: \(warning.file): \(warning.path): \(warning.message)") }
        let agent: AssembledAgent
        do {
            agent = try await AgentAssembly.build(config: cluster, secret: secret, logger: log.logger)
        } catch let error as AgentAssemblyError {
            printError(error.description)
            throw ExitCode(1)
        }
        if maintenance { await agent.agent.setMaintenance(true) }
        // SIGHUP (systemctl reload) applies the file again; what cannot be applied changes nothing.
        let configFile = config
        signals.onHangup { agent.hangup(configFile: configFile) }
        await agent.run(stoppingOn: { await signals.wait() })
    }
}
