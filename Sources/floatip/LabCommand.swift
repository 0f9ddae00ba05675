import ArgumentParser
import FloatIPLab

/// `floatip lab`: a small network of namespaces on this machine, with real agents, to watch failovers.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Build a lab of network namespaces with real agents and watch failovers (root).",
        discussion: """
            A switch (bridge), nodes web1…webN at 198.18.0.1…N and a client at 198.18.0.200, each \
            in a network namespace with no route out; an agent and a responder (UDP port 7480, \
            answers with the node's name) on every node; floating address 198.18.0.100. \
            See docs/lab.md.
            """,
        subcommands: [
            LabDemoCommand.self, LabUpCommand.self, LabDownCommand.self, LabRunCommand.self, LabAskCommand.self, LabChaosCommand.self,
            LabResponderCommand.self,
        ]
    )
}

/// `--name`: which lab.
struct LabNameOption: ParsableArguments {
    @Option(help: "The lab's name (1–20 of a-z, 0-9, '-'): namespaces floatip-NAME-…, directory /run/floatip-lab/NAME.")
    var name: String = "lab"

    func layout(nodes: Int = 2) throws -> LabLayout { try Self.layout(name: name, nodes: nodes) }

    /// The layout of lab `name`; a bad name or node count is a usage error.
    static func layout(name: String, nodes: Int) throws -> LabLayout {
        do {
            return try LabLayout(name: name, nodes: nodes)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// Runs a lab step; a `LabError` becomes a message and exit code 1 (130 after Ctrl-C).
func runLabStep<T>(_ body: () throws(LabError) -> T) throws -> T {
    do {
        return try body()
    } catch .interrupted {
        printError("floatip lab: interrupted; the lab was removed")
        throw ExitCode(130)
    } catch {
        printError("floatip lab: \(error)")
        throw ExitCode(1)
    }
}
