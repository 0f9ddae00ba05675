import FloatIPCore
import FloatIPLinux
import Logging
import Synchronization

/// `mover: script`: the operator's own commands move the group, for a provider floatip does not
/// know. The contract (docs/movers.md, "script"):
///
/// - `claim` makes this node the holder and must be idempotent (run again on a held group, it
///   succeeds without harm): the agent runs it on every claim and again when a rival holder
///   appears or goes (`announce`), or when `holder` says another node holds it while this node does.
/// - `release` gives the group up, also idempotent; without one, a release does nothing.
/// - `holder` prints who holds the group as its last line of output: this node's name or address
///   (this node), another name (that one), or an empty line or nothing (nobody). Without one, nothing is reconciled.
/// - Exit status 0 is success; anything else, a signal, or the timeout is a failure whose message
///   carries the output's last lines (in the log, and in status as the mover's last error).
///
/// The claim term goes to every command: a script whose medium can store it can refuse a claim
/// with a term lower than the one stored (a stale node that wakes up late).
public final class ScriptMover: Mover, MoverTelemetrySource, Sendable {
    public let settings: ScriptMoverSettings
    let node: String
    let nodeAddress: String
    let recorder: TelemetryRecorder
    let logger: Logger
    /// The term of the last claim, for `announce` and `holder` (which the seam gives none).
    private let lastTerm: Mutex<UInt64>

    public init(settings: ScriptMoverSettings, node: String, nodeAddress: String, logger: Logger = .silent) {
        self.settings = settings
        self.node = node
        self.nodeAddress = nodeAddress
        self.logger = logger
        recorder = TelemetryRecorder(kind: MoverKind.script.rawValue)
        lastTerm = Mutex(0)
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        lastTerm.withLock { $0 = max($0, epoch) }
        try await run("claim", settings.claim, settings.claimTimeout, group, term: epoch)
        recorder.recordHolder(node, holdsHere: true)
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        guard let release = settings.release else {
            logger.debug("group \(group.name): the script mover has no `release` command; nothing to run")
            return
        }
        try await run("release", release, settings.releaseTimeout, group, term: epoch)
        recorder.recordHolder(nil, holdsHere: false)
    }

    /// Nothing to announce on the script's medium: like a cloud mover, it makes sure the group is
    /// still here by running `claim` again (a rival holder may have moved it last).
    public func announce(_ group: GroupConfig) async throws {
        try await run("claim", settings.claim, settings.claimTimeout, group, term: lastTerm.withLock { $0 })
    }

    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        guard let command = settings.holder else {
            throw ScriptMoverError(
                group: group.name, operation: "holder",
                result: .init(succeeded: false, summary: "no `holder` command is configured", tail: [], took: .zero))
        }
        let result = try await run("holder", command, settings.holderTimeout, group, term: lastTerm.withLock { $0 })
        let holder = Self.holder(fromLastLine: result.lastLine, node: node, nodeAddress: nodeAddress)
        switch holder {
        case .this: recorder.recordHolder(node, holdsHere: true)
        case .other(let name): recorder.recordHolder(name, holdsHere: false)
        case .none: recorder.recordHolder(nil, holdsHere: false)
        }
        return holder
    }

    /// What a `holder` command's last line of output says: empty is nobody, this node's name or
    /// address is this node, anything else another holder.
    public static func holder(fromLastLine line: String, node: String, nodeAddress: String) -> MoverHolder {
        let name = line.trimmed
        if name.isEmpty { return .none }
        if name == node || name == nodeAddress || IPAddress(name).map({ "\($0)" }) == nodeAddress { return .this }
        return .other(name)
    }

    /// `claimed web: 198.18.0.100/32 through the script in 7 ms: exit 0: LINE | LINE`.
    public func claimSummary(of group: GroupConfig, took: Duration) -> String {
        "claimed \(group.name): " + group.addresses.map(\.description).joined(separator: ", ")
            + " through the script in \(took.shortDescription)" + (recorder.snapshot().answer.map { ": \($0)" } ?? "")
    }

    public func telemetry() -> MoverTelemetry { recorder.snapshot() }

    public func noteDrift() { recorder.recordDrift() }

    /// Runs one command; on failure logs it and throws, with the output's last lines.
    @discardableResult
    private func run(
        _ operation: String, _ command: String, _ timeout: Duration, _ group: GroupConfig, term: UInt64
    ) async throws -> ScriptCommand.Result {
        let script = ScriptCommand(operation: operation, command: command, shell: settings.shell, timeout: timeout)
        let result = await script.run(.init(group: group, node: node, nodeAddress: nodeAddress, term: term))
        recorder.recordCall("\(operation) \(command)", latency: result.took, answer: result.text, retried: false)
        guard result.succeeded else {
            let error = ScriptMoverError(group: group.name, operation: operation, result: result)
            logger.warning("\(error)")
            recorder.recordOutcome(error.description)
            throw error
        }
        if operation != "holder" {
            logger.info("group \(group.name): script \(operation) (term \(term)) took \(result.took.shortDescription): \(result.text)")
        }
        recorder.recordOutcome(nil)
        return result
    }
}
