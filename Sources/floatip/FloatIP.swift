import ArgumentParser
import FloatIPAgent

/// The `floatip` command: one subcommand per file.
@main
struct FloatIP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floatip",
        abstract: "Keep a service reachable at one floating address while servers fail and go into maintenance.",
        discussion: """
            Exit codes: 0 success; 1 the command ran and found problems (an invalid config, an \
            invariant violation); 64 bad usage.
            """,
        version: BuildInfo.current.line,
        subcommands: [
            SimulateCommand.self, AgentCommand.self, StatusCommand.self, MaintenanceCommand.self, SwitchoverCommand.self,
            EventsCommand.self, CheckConfigCommand.self, ChecksCommand.self, MoverCommand.self, WitnessCommand.self,
            ImportCommand.self, LabCommand.self, VersionCommand.self,
        ]
    )
}
