import FloatIPCore
import FloatIPDNS
import Logging

extension MoverSet {
    /// The `dns` mover of `group` (the `index`th of the config's groups, for the option paths).
    static func dnsMover(
        _ group: GroupConfig, index: Int, node: NodeConfig?, logger: Logger
    ) throws(MoverSetupError) -> DNSMover {
        let settings: DNSMoverSettings
        switch DNSMoverSettings.parse(group.mover.options, path: "groups[\(index)].mover", nodeAddress: node?.address) {
        case .success(let parsed): settings = parsed
        case .failure(let problems): throw MoverSetupError(message: "group \(group.name): \(problems)")
        }
        do {
            return try DNSMover(settings: settings, logger: logger)
        } catch {
            throw MoverSetupError(message: "group \(group.name): \(error)")
        }
    }

    /// Problems with the options of every `dns` mover in `config` (for `check-config`), with paths
    /// `groups[N].mover.KEY`.
    static func dnsOptionProblems(_ config: ClusterConfig) -> [(path: String, message: String)] {
        var problems: [(path: String, message: String)] = []
        for (index, group) in config.groups.enumerated() where group.mover.kind == .dns {
            let parsed = DNSMoverSettings.parse(
                group.mover.options, path: "groups[\(index)].mover", nodeAddress: config.node.address)
            switch parsed {
            case .failure(let found):
                problems += found.problems.map { (path: $0.path, message: $0.message) }
            case .success(let settings):
                // Reads and checks the key file, as the agent will (no network).
                do {
                    _ = try DNSMover(settings: settings)
                } catch {
                    problems.append((path: "groups[\(index)].mover.key_file", message: error.message))
                }
            }
        }
        return problems
    }
}
