import FloatIPCore

/// One configured check, ready to run again and again. Kinds that keep state between runs (a log
/// file's position and recent matches, an interface's link state) keep it in their probe.
///
/// A probe enforces `check.timeout` itself (it knows how to stop its work: kill a process group,
/// close a connection) and returns a failing result that says it timed out; it never throws and
/// never crashes the agent: a check that cannot even start fails with that reason.
public protocol CheckProbe: Sendable {
    /// The check this probe runs.
    var check: CheckConfig { get }
    /// Runs the check once.
    func run() async -> CheckResult
    /// Releases what the probe holds (an HTTP client's connections); called once when checks stop.
    func shutdown() async
    /// For probes that learn of changes as they happen (an interface's netlink events): calls
    /// `wake` whenever a run now would answer differently, so the scheduler runs the check at
    /// once instead of at its next deadline. Called once, before the first run; returns whether
    /// the probe will ever call `wake`.
    func notifyChanges(_ wake: @escaping @Sendable () -> Void) -> Bool
}

extension CheckProbe {
    /// Most probes hold nothing between runs.
    public func shutdown() async {}
    /// Most probes learn only by running.
    public func notifyChanges(_ wake: @escaping @Sendable () -> Void) -> Bool { false }
}

/// Makes the probe for a check, by kind.
public enum CheckProbes {
    public static func make(_ check: CheckConfig, context: CheckContext) throws -> any CheckProbe {
        switch check.options {
        case .ping(let options): try PingProbe(check: check, options: options, context: context)
        case .tcp(let options): try TCPProbe(check: check, options: options)
        case .http(let options): try HTTPProbe(check: check, options: options)
        case .command(let options): try CommandProbe(check: check, options: options)
        case .process(let options): try ProcessProbe(check: check, options: options)
        case .systemd: try SystemdProbe(check: check)
        case .file(let options): try FileProbe(check: check, options: options)
        case .log(let options): try LogProbe(check: check, options: options)
        case .interface: try InterfaceProbe(check: check, context: context)
        case .track(let track): try TrackProbe(check: check, track: track, context: context)
        }
    }
}

/// What probes share: the network namespace to work in (tests), long-lived sockets, the witness key.
public struct CheckContext: Sendable {
    /// The network namespace probes that open sockets work in (nil: the agent's own). Witness targets of
    /// `track:` always use the agent's own.
    public var namespace: String?
    /// The cluster's witness key and this node's name, for `witness` targets of `track:`.
    public var witness: WitnessIdentity?

    public init(namespace: String? = nil, witness: WitnessIdentity? = nil) {
        self.namespace = namespace
        self.witness = witness
    }
}
