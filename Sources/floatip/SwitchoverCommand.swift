import ArgumentParser
import FloatIPAgent
import FloatIPCore

/// `floatip switchover GROUP [--to NODE]`: a planned move, measured.
struct SwitchoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchover",
        abstract: "Hand a group over to another node (make-before-break) and wait until it has moved.",
        discussion: """
            Run it on the node that holds the group. Waits at most handover_timeout + 2 s until this \
            node's status shows the target as holder, then prints how long the move took. Exit 1 if \
            the agent refuses (409: this node does not hold the group, no healthy target) or the move \
            does not finish in time. Over the agent's Unix socket (the default) it needs root or \
            membership of group floatip; over --api HOST:PORT, the API token.
            """
    )

    @Argument(help: "The group to move.") var group: String
    @Option(help: "The node to move it to (default: the next-ranked healthy peer).") var to: String?
    @OptionGroup var options: APIOptions

    func run() async throws {
        let (client, cluster) = try options.client(needsToken: true)
        let clock = ContinuousClock()
        let started = clock.now
        let limit = (cluster?.timers.handoverTimeout ?? Timers().handoverTimeout) + .seconds(2)
        do {
            let target = try await client.switchover(SwitchoverRequest(group: group, to: to)).target
            while clock.now - started < limit {
                let status = try await client.status()
                if let state = status.groups.first(where: { $0.name == group }), state.role != "holder",
                    state.holder == target
                {
                    print("\(group): moved to \(target) in \((clock.now - started).shortDescription)")
                    return
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            printError("\(group): handover to \(target) started but not finished within \(limit.shortDescription); "
                + "see floatip status")
            throw ExitCode(1)
        } catch let error as AgentAPIError {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
