import ArgumentParser
import FloatIPCore

/// `floatip mover …`: run a group's mover by hand, outside the agent, to try a config out.
struct MoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mover",
        abstract: "Claim, release or inspect a group's addresses by hand, without the agent.",
        discussion: """
            For trying a mover out and for tests. Never run it beside a running agent for the same \
            group: the agent would not know.
            """,
        subcommands: [MoverClaimCommand.self, MoverReleaseCommand.self, MoverHolderCommand.self]
    )
}

/// The options every `floatip mover` subcommand takes.
struct MoverOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The node's YAML config file.") var config: String
    @Option(name: .shortAndLong, help: "The group to act on.") var group: String

    /// The config and the group, or exit 1 with the problems.
    func load() throws -> GroupSelection {
        let cluster = try loadConfig(config)
        guard let chosen = cluster.groups.first(where: { $0.name == group }) else {
            printError("\(config): no group named \(group) (groups: \(cluster.groups.map(\.name).joined(separator: ", ")))")
            throw ExitCode(1)
        }
        guard chosen.mover.kind == .local || chosen.mover.kind == .dns else {
            printError("group \(group): mover \(chosen.mover.kind.rawValue) is not available in this version")
            throw ExitCode(1)
        }
        return GroupSelection(cluster: cluster, group: chosen)
    }
}


struct GroupSelection {
    var cluster: ClusterConfig
    var group: GroupConfig
}
