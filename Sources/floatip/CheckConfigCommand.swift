import ArgumentParser

/// `floatip check-config FILE` (to be completed by the config work).
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate a config file.")
    @Argument(help: "The YAML config file.") var file: String
    func run() throws { throw ExitCode.failure }
}
