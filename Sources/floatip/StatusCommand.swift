import ArgumentParser
import FloatIPAgent
import Foundation

/// `floatip status [--json]`: the agent's view of its groups, peers, checks and counters.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running agent's groups (role, holder, reason), peers, checks and counters.",
        discussion: "Asks the agent's HTTP API (GET /v1/status). Exit 1 if the agent cannot be reached."
    )

    @OptionGroup var options: APIOptions
    @Flag(help: "Print the status as JSON (as GET /v1/status returns it).") var json = false

    func run() async throws {
        let (client, _) = try options.client(needsToken: false)
        let status: AgentStatus
        do {
            status = try await client.status()
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(StatusTable.render(status), terminator: "")
        }
    }
}
