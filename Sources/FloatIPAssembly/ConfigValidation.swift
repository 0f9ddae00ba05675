import FloatIPCore

/// What `check-config` finds in a parsed config beyond the parser's own checks: the things only
/// this machine can tell (files, programs, users, credentials) and each mover's options. Problems
/// stop the agent (or fail its checks at run time); warnings are worth an operator's look.
public struct ConfigValidation: Sendable {
    /// Each problem as `FILE:LINE: field: message`.
    public var problems: [ConfigProblem] = []
    /// Each warning as `FILE: field: warning: message`.
    public var warnings: [ConfigWarning] = []

    /// Validates `config`, read from `file` (`yaml`, its text, gives the problems their lines).
    /// Reads the files the config names and the mover credentials; no network.
    public static func validate(_ config: ClusterConfig, file: String, yaml: String? = nil) -> ConfigValidation {
        var found = ConfigValidation(file: file, lines: yaml.map { ConfigParser.fieldLines(yaml: $0) } ?? [:])
        found.checkPrograms(config.checks)
        for (path, message) in MoverSet.dnsOptionProblems(config) {
            let mover = String(path[..<(path.lastIndex(of: ".") ?? path.endIndex)])
            found.problem(path, message, at: found.line(path) ?? found.line(mover))
        }
        if let (path, message) = MoverSet.coordinationProblem(config) { found.problem(path, message) }
        found.checkLogTargets(config.checks)
        found.checkUsers(config.checks)
        for (index, group) in config.groups.enumerated() {
            for problem in MoverSet.optionProblems(for: group, node: config.node) {
                let path = "groups[\(index)].\(problem.field)"
                if problem.isWarning {
                    found.warning(path, problem.message)
                } else {
                    found.problem(path, problem.message, at: found.line(path) ?? found.line("groups[\(index)].mover"))
                }
            }
        }
        found.checkKeyFiles(config)
        if let warning = apiListenWarning(config.api) { found.warning("api.listen", warning) }
        if let warning = stopTimeoutWarning(config) { found.warning("timers.handover_timeout", warning) }
        return found
    }

    private let file: String
    private let lines: [String: Int]

    private init(file: String, lines: [String: Int]) {
        self.file = file
        self.lines = lines
    }

    func line(_ path: String) -> Int? { lines[path] }

    /// A problem with `path`, on its line in the config's text.
    mutating func problem(_ path: String, _ message: String) {
        problem(path, message, at: lines[path])
    }

    /// A problem with `path` on `line`.
    mutating func problem(_ path: String, _ message: String, at line: Int?) {
        problems.append(ConfigProblem(file: file, line: line, path: path, message: message))
    }

    /// A problem with a file the config names at `path`: no line, it is not in the config's text.
    mutating func fileProblem(_ path: String, _ message: String) {
        problem(path, message, at: nil)
    }

    mutating func warning(_ path: String, _ message: String) {
        warnings.append(ConfigWarning(file: file, path: path, message: message))
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
}

/// Something in a config worth a look that does not stop the agent: `FILE: field: warning: message`.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The config file's name as the operator gave it.
    public var file: String
    /// The field, as `checks[0].user`.
    public var path: String
    public var message: String

    public var description: String { "\(file): \(path): warning: \(message)" }
}
