import FloatIPCloud
import FloatIPCore
import FloatIPLinux
import Glibc
import Logging

extension MoverSet {
    /// The `script` mover of `group`. Throws its option problems, each naming the group and the option.
    static func scriptMover(_ group: GroupConfig, node: NodeConfig?, logger: Logger) throws(MoverSetupError) -> ScriptMover {
        var check = OptionCheck(group.mover.options)
        guard let settings = ScriptMoverSettings.read(&check) else {
            throw MoverSetupError(message: setupMessage(group, scriptOptionProblems(group, programs: false)))
        }
        return ScriptMover(
            settings: settings, node: node?.name ?? "", nodeAddress: node.map { "\($0.address)" } ?? "", logger: logger)
    }

    /// The `azure-lb` mover of `group`, composed with `local` when the group names an interface.
    static func azureLBMover(
        _ group: GroupConfig, local: LocalMover?, node: NodeConfig?, logger: Logger
    ) throws(MoverSetupError) -> AzureLBMover {
        var check = OptionCheck(group.mover.options)
        guard let settings = AzureLBSettings.read(&check) else {
            throw MoverSetupError(message: setupMessage(group, azureLBOptionProblems(group)))
        }
        return AzureLBMover(settings: settings, local: local, node: node?.name ?? "", logger: logger)
    }

    /// Problems with a `script` mover's options; with `programs`, also each command that is not a
    /// program this user can run (for `check-config`; the agent learns it at the first claim).
    static func scriptOptionProblems(_ group: GroupConfig, programs: Bool) -> [MoverOptionProblem] {
        var check = OptionCheck(group.mover.options)
        let settings = ScriptMoverSettings.read(&check)
        var problems = check.problems.map { MoverOptionProblem(field: "mover.\($0.key)", message: $0.message, isWarning: false) }
        if programs, let settings, !settings.shell {
            for (key, command) in settings.commands {
                if let message = ConfigValidation.programProblem(command, need: "the mover runs it to \(key) (or set `shell: true`)") {
                    problems.append(MoverOptionProblem(field: "mover.\(key)", message: message, isWarning: false))
                } else if let message = writableProblem(command) {
                    problems.append(MoverOptionProblem(field: "mover.\(key)", message: message, isWarning: true))
                }
            }
        }
        return problems
    }

    /// A program that others than its owner may change runs with the agent's rights (root) all the same.
    private static func writableProblem(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o022 != 0 else { return nil }
        return "\(path) is writable by its group or by everyone, and the agent runs it with its own rights "
            + "(root); run `chmod go-w \(path)`"
    }

    /// Problems with an `azure-lb` mover's options.
    static func azureLBOptionProblems(_ group: GroupConfig) -> [MoverOptionProblem] {
        var check = OptionCheck(group.mover.options)
        _ = AzureLBSettings.read(&check)
        return check.problems.map { MoverOptionProblem(field: "mover.\($0.key)", message: $0.message, isWarning: false) }
    }

    private static func setupMessage(_ group: GroupConfig, _ problems: [MoverOptionProblem]) -> String {
        problems.map { "group \(group.name): \($0)" }.joined(separator: "\n")
    }
}
