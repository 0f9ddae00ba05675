import ArgumentParser
import FloatIPAgent

/// `floatip maintenance on|off [--group G]`: operator maintenance through the agent's API.
struct MaintenanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintenance",
        abstract: "Put the node (or one group) into maintenance, or take it out.",
        discussion: """
            In maintenance the node hands its groups to the next-ranked healthy peer \
            (make-before-break) and keeps its own address. Over the agent's Unix socket (the \
            default) it needs root or membership of group floatip; over --api HOST:PORT, the API \
            token (api.token_file of --config, or --token-file).
            """
    )

    enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

    @Argument(help: "on or off.") var state: Switch
    @Option(help: "Only this group (default: the whole node).") var group: String?
    @OptionGroup var options: APIOptions

    func run() async throws {
        let (client, _) = try options.client(needsToken: true)
        do {
            let answer = try await client.maintenance(MaintenanceRequest(on: state == .on, group: group))
            print("maintenance \(answer.on ? "on" : "off") for " + (answer.group.map { "group \($0)" } ?? "the whole node"))
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
