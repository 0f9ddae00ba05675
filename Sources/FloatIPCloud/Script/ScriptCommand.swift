import FloatIPCore
import FloatIPLinux

/// One run of a `script` mover's command, and what it is told.
///
/// Arguments: `OPERATION GROUP NODE TERM PREFIX…` (`claim web web1 4 198.18.0.100/32`); with
/// `shell: true` the line runs as `/bin/sh -c LINE sh OPERATION GROUP …`, so `$1`… are the same.
/// Environment (besides `PATH`, `LANG`, `LC_*`, `TZ`: nothing else of the agent's, see
/// `ProcessGroupRun.childEnvironment`): `FLOATIP_OPERATION`, `FLOATIP_GROUP`, `FLOATIP_NODE`,
/// `FLOATIP_NODE_ADDRESS`, `FLOATIP_TERM`, `FLOATIP_ADDRESSES` (the addresses, space-separated),
/// `FLOATIP_PREFIXES` (with their lengths), `FLOATIP_INTERFACE` (the group's, if it names one).
///
/// The command runs in a process group of its own; at its timeout the whole group gets SIGTERM
/// and, 200 ms later, SIGKILL. Standard output and error are read together; the last 64 KiB are
/// kept (the rest is cut), and the last `tailLines` lines go in the log and status.
public struct ScriptCommand: Sendable {
    /// `claim`, `release` or `holder`.
    public var operation: String
    public var command: String
    public var shell: Bool
    public var timeout: Duration

    /// How many of the output's last lines an error or a log line carries.
    public static let tailLines = 5
    /// How many of the output's last bytes are kept.
    public static let outputLimit = 64 * 1024
    /// Between SIGTERM and SIGKILL at the timeout.
    public static let grace: Duration = .milliseconds(200)

    public init(operation: String, command: String, shell: Bool, timeout: Duration) {
        self.operation = operation
        self.command = command
        self.shell = shell
        self.timeout = timeout
    }

    /// Who and what a run is about.
    public struct Context: Sendable {
        public var group: GroupConfig
        public var node: String
        public var nodeAddress: String
        public var term: UInt64

        public init(group: GroupConfig, node: String, nodeAddress: String, term: UInt64) {
            self.group = group
            self.node = node
            self.nodeAddress = nodeAddress
            self.term = term
        }
    }

    /// How a run went: `succeeded` only on exit 0; `summary` says how it ended, `tail` is the
    /// output's last non-empty lines (printable), `lastLine` its very last line, empty or not.
    public struct Result: Sendable, Equatable {
        public var succeeded: Bool
        public var summary: String
        public var tail: [String]
        public var lastLine: String = ""
        public var took: Duration

        /// `exit 3: line | line`, for logs and errors.
        public var text: String { summary + (tail.isEmpty ? "" : ": " + tail.joined(separator: " | ")) }
    }

    /// The process the run would start (path and argv), for `context`.
    public func argv(_ context: Context) -> [String] {
        let arguments = [
            operation, context.group.name, context.node, "\(context.term)",
        ] + context.group.addresses.map(\.description)
        return shell ? ["/bin/sh", "-c", command, "sh"] + arguments : [command] + arguments
    }

    /// The variables the command gets, for `context`.
    public func environment(_ context: Context) -> [String: String] {
        var variables = [
            "FLOATIP_OPERATION": operation,
            "FLOATIP_GROUP": context.group.name,
            "FLOATIP_NODE": context.node,
            "FLOATIP_NODE_ADDRESS": context.nodeAddress,
            "FLOATIP_TERM": "\(context.term)",
            "FLOATIP_ADDRESSES": context.group.addresses.map { "\($0.address)" }.joined(separator: " "),
            "FLOATIP_PREFIXES": context.group.addresses.map(\.description).joined(separator: " "),
        ]
        if let interface = context.group.interface { variables["FLOATIP_INTERFACE"] = interface }
        return variables
    }

    /// Runs the command for `context` and waits for it (at most its timeout and the grace after it).
    public func run(_ context: Context) async -> Result {
        let argv = argv(context)
        let started = ContinuousClock.now
        let outcome = await ProcessGroupRun(
            path: argv[0], argv: argv, timeout: timeout, grace: Self.grace, environment: environment(context),
            outputLimit: Self.outputLimit
        ).run()
        let took = ContinuousClock.now - started
        let tail = OutputTail.lastLines(of: outcome.output, count: Self.tailLines)
        let summary = outcome.endingText(program: argv[0], timeout: timeout)
        return Result(
            succeeded: outcome.ending == .exited(0), summary: summary, tail: tail,
            lastLine: Self.lastLine(of: outcome.output), took: took)
    }
}

extension ScriptCommand {
    /// The output's last line without its newline (`a⏎b⏎`: `b`; `a⏎⏎` or no output: empty).
    static func lastLine(of output: [UInt8]) -> String {
        var bytes = output[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        let start = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.startIndex
        return OutputTail.printableLine(bytes[start...]).trimmed
    }
}

/// A `script` mover's command failed: which one, and how (with the output's last lines).
public struct ScriptMoverError: Error, Sendable, CustomStringConvertible {
    public var group: String
    public var operation: String
    public var result: ScriptCommand.Result

    public var description: String { "group \(group): script \(operation): \(result.text)" }
}
