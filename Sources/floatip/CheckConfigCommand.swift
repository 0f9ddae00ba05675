import ArgumentParser
import FloatIPChecks
import FloatIPCore
import FloatIPLinux
import Foundation

/// `floatip check-config FILE`: validates a config file the way the agent would load it, like `keepalived -t`.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file and the secret and token files it names.",
        discussion: """
            Reads FILE, checks every field (see docs/config.md), checks that secret_file (and \
            api.token_file, if given) exists, is readable and holds at least 16 bytes, and that the \
            program of every command check (without `shell: true`) exists and is executable, and that \
            every cloud mover's options are complete and its credential file or variable is readable. Every \
            file holding a secret (secret, token, credential, TSIG key, etcd password and TLS key) must \
            belong to root or the agent's user and be neither readable nor writable by others (an \
            error, as the agent refuses it too); one its group can read draws a warning; so do a process \
            check by name without `user:` (any local user can start a process of that name) and a `user:` \
            or `owner:` that this machine does not know, and an api.listen that is not a loopback address (the \
            API has no TLS).

            On success prints one summary line and exits 0: it ends with the links the groups track and \
            the check that tracks each (the implicit `link IFACE` unless the config has an interface check \
            on it; docs/config.md, "Interface tracking"). Otherwise prints every problem, one per \
            line as FILE:LINE: field: message, to standard error and exits 1.

            Example:
              $ floatip check-config /etc/floatip/web1.yaml
              /etc/floatip/web1.yaml: OK: cluster web, node web1, 1 peer, 1 group (2 addresses), 2 checks; \
            failover within 330 ms; links tracked: eth0 (implicit check `link eth0`)
              $ floatip check-config broken.yaml
              broken.yaml:7: timers.interval: `20` has no unit; units are required: write e.g. `20ms` or `20s` ...
            """
    )

    @Argument(help: "The YAML config file.") var file: String

    func run() throws {
        let yaml = try readConfigText(file)
        let config = try parseConfig(yaml, file: file)
        var problems: [ConfigProblem] = []
        let lines = ConfigParser.fieldLines(yaml: yaml)
        for (index, check) in config.checks.enumerated() {
            guard case .command(let options) = check.options, !options.shell,
                let message = Self.programProblem(check.target)
            else { continue }
            let path = "checks[\(index)].target"
            problems.append(ConfigProblem(file: file, line: lines[path], path: path, message: message))
        }
        for (path, message) in MoverSet.dnsOptionProblems(config) {
            let line = lines[path] ?? lines[String(path[..<(path.lastIndex(of: ".") ?? path.endIndex)])]
            problems.append(ConfigProblem(file: file, line: line, path: path, message: message))
        }
        if let (path, message) = MoverSet.coordinationProblem(config) {
            problems.append(ConfigProblem(file: file, line: lines[path], path: path, message: message))
        }
        // A log the agent would refuse to read (a link, another owner) fails its check at run time:
        // say so now, with the `owner:` that fixes it.
        for (index, check) in config.checks.enumerated() {
            guard case .log(let options) = check.options,
                let message = LogCheckTarget.problem(check, options: options)
            else { continue }
            let path = "checks[\(index)].target"
            problems.append(ConfigProblem(file: file, line: lines[path], path: path, message: message))
        }
        var warnings: [String] = []
        for (path, message) in Self.checkUserWarnings(config.checks) {
            warnings.append("\(file): \(path): warning: \(message)")
        }
        for (index, group) in config.groups.enumerated() {
            for problem in MoverSet.optionProblems(for: group, node: config.node) {
                let path = "groups[\(index)].\(problem.field)"
                let line = lines[path] ?? lines["groups[\(index)].mover"]
                if problem.isWarning {
                    warnings.append("\(file): \(path): warning: \(problem.message)")
                } else {
                    problems.append(ConfigProblem(file: file, line: line, path: path, message: problem.message))
                }
            }
        }
        checkKeyFile(config.secretFile, field: "secret_file", problems: &problems, warnings: &warnings)
        if let tokenFile = config.api.tokenFile {
            checkKeyFile(tokenFile, field: "api.token_file", problems: &problems, warnings: &warnings)
        }
        // The DNS and etcd files' refusals come with their movers' problems above; their warnings here.
        for (path, secretFile) in Self.moverSecretFiles(config) {
            if let warning = SecretFileRule.check(secretFile).warning { warnings.append("\(file): \(path): warning: \(warning)") }
        }
        if let warning = Self.apiListenWarning(config.api) { warnings.append("\(file): api.listen: warning: \(warning)") }
        for warning in warnings { printError(warning) }
        guard problems.isEmpty else {
            for problem in problems { printError(problem.description) }
            throw ExitCode(1)
        }
        print("\(file): OK: \(config.summary)")
    }

    /// Checks that a local user could satisfy (a process by name alone), and users named in `user` or
    /// `owner` that this machine does not know (the check would fail): warnings, since the config may be
    /// checked on another machine than the one it runs on.
    static func checkUserWarnings(_ checks: [CheckConfig]) -> [(path: String, message: String)] {
        var warnings: [(String, String)] = []
        for (index, check) in checks.enumerated() {
            var named: (key: String, user: LocalUser)?
            switch check.options {
            case .process(let options):
                if options.user == nil && !check.target.hasPrefix("/") {
                    warnings.append(("checks[\(index)].target", "any local user can start a process named "
                        + "\(check.target); give `user:` or check a pidfile instead"))
                }
                named = options.user.map { ("user", $0) }
            case .log(let options):
                named = options.owner.map { ("owner", $0) }
            default:
                break
            }
            if let (key, user) = named, case .name(let name) = user, getpwnam(name) == nil {
                warnings.append(("checks[\(index)].\(key)", "no user named \"\(name)\" on this machine; "
                    + "the check fails where there is none"))
            }
        }
        return warnings
    }

    /// The secret files of the `dns` movers (`key_file`) and of etcd (`password_file`, `key_file`),
    /// with their config paths.
    static func moverSecretFiles(_ config: ClusterConfig) -> [(path: String, file: String)] {
        var files: [(path: String, file: String)] = []
        for (index, group) in config.groups.enumerated() where group.mover.kind == .dns {
            if let keyFile = group.mover.options["key_file"] { files.append(("groups[\(index)].mover.key_file", keyFile)) }
        }
        if let coordination = config.coordination {
            if let password = coordination.passwordFile { files.append(("coordination.password_file", password)) }
            if let key = coordination.keyFile { files.append(("coordination.key_file", key)) }
        }
        return files
    }

    /// A TCP listener beyond loopback: the API has no TLS, so the token and the status cross the
    /// network in clear. Nil for loopback or `off`.
    static func apiListenWarning(_ api: APIConfig) -> String? {
        guard api.tcpEnabled, !api.listensOnLoopbackOnly else { return nil }
        return "\(api.listen) is not a loopback address and the API has no TLS: the API token"
            + (api.tokenFile == nil ? " (once api.token_file is set)" : "")
            + " and the status cross the network in clear. Keep api.listen on 127.0.0.1 (the CLI uses the Unix "
            + "socket), or put a TLS-terminating proxy in front of it, or write `api.listen: off`"
    }

    /// Why a command check's program cannot run, or nil when it can.
    static func programProblem(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "\(path) does not exist; a command check needs a program it can run"
        }
        if isDirectory.boolValue { return "\(path) is a directory, not a program" }
        guard access(path, X_OK) == 0 else {
            return "\(path) is not executable by this user; run `chmod +x \(path)` (or fix its owner)"
        }
        return nil
    }

    /// A file holding a shared secret or a token: it must be readable, hold at least 16 bytes after
    /// trimming white space, and pass `SecretFileRule` (refused: an error; group-readable: a warning).
    private func checkKeyFile(
        _ path: String, field: String, problems: inout [ConfigProblem], warnings: inout [String]
    ) {
        func problem(_ message: String) {
            problems.append(ConfigProblem(file: file, line: nil, path: field, message: message))
        }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problem("\(path) does not exist; create it with at least 16 random bytes, e.g. "
                + "`head -c 32 /dev/urandom | base64 > \(path) && chmod 600 \(path)`")
            return
        }
        guard !isDirectory.boolValue else {
            problem("\(path) is a directory; it must be a file holding the key")
            return
        }
        guard manager.isReadableFile(atPath: path), let data = manager.contents(atPath: path) else {
            problem("\(path) is not readable by this user; the agent must be able to read it")
            return
        }
        let trimmed = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.utf8.count < 16 {
            problem("\(path) holds \(trimmed.utf8.count) bytes after trimming white space; at least 16 are required")
        }
        switch SecretFileRule.check(path) {
        case .fine: break
        case .groupReadable(let message): warnings.append("\(file): \(field): warning: \(message)")
        case .refused(let message): problem(message)
        }
    }
}
