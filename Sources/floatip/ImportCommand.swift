import ArgumentParser

/// `floatip import …`: convert another failover tool's configuration.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert another failover tool's configuration to a floatip config.",
        subcommands: [ImportKeepalivedCommand.self]
    )
}
