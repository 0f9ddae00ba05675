/// What each kind of check needs beyond its `target` (docs/config.md, "checks").
///
/// | kind | target | options |
/// |---|---|---|
/// | ping | an IP address | `max_rtt` |
/// | tcp | `host:port` (`[v6]:port`) | `send`, `expect` |
/// | http | an http:// or https:// URL | `method`, `expect_status`, `body_contains`, `body_regex`, `tls_verify` |
/// | command | a program (absolute path), or a shell command line with `shell: true` | `arguments`, `shell` |
/// | process | a process name, or an absolute path to a pidfile | `user` |
/// | systemd | a unit name | — |
/// | file | an absolute path | `expect` (`exists` or `absent`) |
/// | log | an absolute path to a log file | `pattern`, `threshold`, `window`, `owner` |
/// | interface | an interface name | — |
public enum CheckOptions: Sendable, Equatable {
    case ping(PingCheckOptions)
    case tcp(TCPCheckOptions)
    case http(HTTPCheckOptions)
    case command(CommandCheckOptions)
    case process(ProcessCheckOptions)
    case systemd
    case file(FileCheckOptions)
    case log(LogCheckOptions)
    case interface
    /// The synthesized tracking check: its targets and timing.
    case track(TrackConfig)

    /// The options a check of `kind` has when the config sets none. (A `log` check needs a pattern;
    /// its default here matches nothing and config validation requires one.)
    public static func defaults(for kind: CheckKind) -> CheckOptions {
        switch kind {
        case .ping: .ping(PingCheckOptions())
        case .tcp: .tcp(TCPCheckOptions())
        case .http: .http(HTTPCheckOptions())
        case .command: .command(CommandCheckOptions())
        case .process: .process(ProcessCheckOptions())
        case .systemd: .systemd
        case .file: .file(FileCheckOptions())
        case .log: .log(LogCheckOptions(pattern: ""))
        case .interface: .interface
        case .track: .track(TrackConfig(targets: []))
        }
    }
}

public struct PingCheckOptions: Sendable, Equatable {
    /// A reply slower than this fails the check. Default: none (only the timeout).
    public var maxRTT: Duration?
    public init(maxRTT: Duration? = nil) { self.maxRTT = maxRTT }
}

public struct TCPCheckOptions: Sendable, Equatable {
    /// Bytes to send once connected (escapes `\r`, `\n`, `\t`, `\\` already resolved).
    public var send: String?
    /// Text the answer must contain (within the timeout).
    public var expect: String?
    public init(send: String? = nil, expect: String? = nil) {
        self.send = send
        self.expect = expect
    }
}

public enum HTTPCheckMethod: String, Sendable, Equatable, CaseIterable {
    case get = "GET"
    case head = "HEAD"
}

public struct HTTPCheckOptions: Sendable, Equatable {
    public var method: HTTPCheckMethod
    /// Status codes that pass. Default 200–399.
    public var expectStatus: [ClosedRange<Int>]
    /// Text the body must contain.
    public var bodyContains: String?
    /// A regular expression the body must match (validated when the config is read).
    public var bodyRegex: String?
    /// Verify the server's TLS certificate (https). Default true.
    public var tlsVerify: Bool

    public init(
        method: HTTPCheckMethod = .get, expectStatus: [ClosedRange<Int>] = [200...399], bodyContains: String? = nil,
        bodyRegex: String? = nil, tlsVerify: Bool = true
    ) {
        self.method = method
        self.expectStatus = expectStatus
        self.bodyContains = bodyContains
        self.bodyRegex = bodyRegex
        self.tlsVerify = tlsVerify
    }
}

public struct CommandCheckOptions: Sendable, Equatable {
    /// Arguments passed to the program as they are (no shell).
    public var arguments: [String]
    /// Run `target` with `/bin/sh -c` (only when asked: quoting and globbing are then the shell's).
    public var shell: Bool
    public init(arguments: [String] = [], shell: Bool = false) {
        self.arguments = arguments
        self.shell = shell
    }
}

public enum FileExpectation: String, Sendable, Equatable, CaseIterable {
    /// Passes while the file exists.
    case exists
    /// Passes while the file does not exist (the maintenance switch an operator touches).
    case absent
}

public struct FileCheckOptions: Sendable, Equatable {
    public var expect: FileExpectation
    public init(expect: FileExpectation = .exists) { self.expect = expect }
}

public struct ProcessCheckOptions: Sendable, Equatable {
    /// Only processes whose real uid is this user's count (a process of another user with the same name,
    /// or a pidfile naming another user's process, does not). Default: any user.
    public var user: LocalUser?
    public init(user: LocalUser? = nil) { self.user = user }
}

public struct LogCheckOptions: Sendable, Equatable {
    /// A regular expression; new lines that match count against the threshold.
    public var pattern: String
    /// More than this many matching lines within `window` fail the check. Default 0 (any match fails).
    public var threshold: Int
    /// The sliding window matches are counted in. Default 60 s.
    public var window: Duration
    /// Besides root, the user who may own the log file; a file owned by anyone else is refused (a local
    /// user could write lines into it). Default: none (root only).
    public var owner: LocalUser?
    public init(pattern: String, threshold: Int = 0, window: Duration = .seconds(60), owner: LocalUser? = nil) {
        self.pattern = pattern
        self.threshold = threshold
        self.window = window
        self.owner = owner
    }
}
