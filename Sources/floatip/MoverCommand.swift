import ArgumentParser
import FloatIPAssembly
import FloatIPCore
import FloatIPLinux

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
        return GroupSelection(cluster: cluster, group: chosen)
    }

    /// The group's mover (local or cloud), reporting what it does on its own to standard error;
    /// or exit 1 with the reason (a missing credential, an option problem).
    func mover(for selection: GroupSelection) throws -> (mover: any Mover, local: LocalMover?) {
        // A BGP announcement lives as long as its session, which ends with this process.
        if selection.group.mover.kind == .bgp {
            printError("group \(selection.group.name): the bgp mover announces only while its process runs (its sessions "
                + "end with it); run the agent, and watch the router (`birdc show route`, `vtysh -c 'show ip bgp'`)")
            throw ExitCode(1)
        }
        let set: MoverSet
        do {
            set = try MoverSet.make(
                for: selection.cluster.groups, node: selection.cluster.node, only: selection.group.name,
                logger: CommandLog.logger)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        guard let mover = set.movers[selection.group.name] else {
            printError("group \(selection.group.name): no mover was made")
            throw ExitCode(1)
        }
        return (mover, set.local)
    }
}

/// The config a `floatip mover` subcommand acts on, and the group it names.
struct GroupSelection {
    var cluster: ClusterConfig
    var group: GroupConfig
}
