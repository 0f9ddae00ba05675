import FloatIPChecks
import FloatIPCore
import Foundation

extension ConfigValidation {
    /// A command check (without `shell: true`) whose program cannot run.
    mutating func checkPrograms(_ checks: [CheckConfig]) {
        for (index, check) in checks.enumerated() {
            guard case .command(let options) = check.options, !options.shell,
                let message = Self.programProblem(check.target)
            else { continue }
            problem("checks[\(index)].target", message)
        }
    }

    /// A log the agent would refuse to read (a link, another owner) fails its check at run time:
    /// say so now, with the `owner:` that fixes it.
    mutating func checkLogTargets(_ checks: [CheckConfig]) {
        for (index, check) in checks.enumerated() {
            guard case .log(let options) = check.options,
                let message = LogCheckTarget.problem(check, options: options)
            else { continue }
            problem("checks[\(index)].target", message)
        }
    }

    /// Checks that a local user could satisfy (a process by name alone), and users named in `user` or
    /// `owner` that this machine does not know (the check would fail): warnings, since the config may be
    /// checked on another machine than the one it runs on.
    mutating func checkUsers(_ checks: [CheckConfig]) {
        for (index, check) in checks.enumerated() {
            var named: (key: String, user: LocalUser)?
            switch check.options {
            case .process(let options):
                if options.user == nil && !check.target.hasPrefix("/") {
                    warning("checks[\(index)].target", "any local user can start a process named "
                        + "\(check.target); give `user:` or check a pidfile instead")
                }
                named = options.user.map { ("user", $0) }
            case .log(let options):
                named = options.owner.map { ("owner", $0) }
            default:
                break
            }
            if let (key, user) = named, case .name(let name) = user, getpwnam(name) == nil {
                warning("checks[\(index)].\(key)", "no user named \"\(name)\" on this machine; "
                    + "the check fails where there is none")
            }
        }
    }

    /// Why a command check's program cannot run, or nil when it can.
    static func programProblem(_ path: String, need: String = "a command check needs a program it can run") -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "\(path) does not exist; \(need)"
        }
        if isDirectory.boolValue { return "\(path) is a directory, not a program" }
        guard access(path, X_OK) == 0 else {
            return "\(path) is not executable by this user; run `chmod +x \(path)` (or fix its owner)"
        }
        return nil
    }
}
