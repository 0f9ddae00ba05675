import FloatIPCore
import FloatIPLinux
import Logging

/// A provider's floating address as a `Mover`, with the same semantics for every provider:
///
/// - `claim` reads the current holder first (and reports it when it is not this server), succeeds
///   quietly when the provider already routes the address here, else assigns it and waits for the
///   provider's action; all within `claim_timeout`, with retries on 429/5xx/timeouts.
/// - `release` unassigns only when the provider still routes the address here (a peer that has
///   already claimed it keeps it); providers without a detach leave it and report so.
/// - `holder` asks the provider: `.this`, `.other(the provider's name for the target)` or `.none`.
/// - `announce` (asked for when a rival holder appears or goes) makes sure the address is still routed here.
public struct CloudMover<P: CloudProvider>: Mover, MoverTelemetrySource {
    public let provider: P
    public let common: CloudCommonSettings
    let recorder: TelemetryRecorder
    let logger: Logger

    public init(provider: P, common: CloudCommonSettings, recorder: TelemetryRecorder, logger: Logger = .silent) {
        self.provider = provider
        self.common = common
        self.recorder = recorder
        self.logger = logger
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        try await outcome { try await ensureRoutedHere(group, why: "term \(epoch)") }
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        try await outcome {
            let deadline = ContinuousClock.now + common.claimTimeout
            let state = try await read(deadline: deadline)
            guard state.holder == provider.target else { return }
            do {
                if try await provider.unassign(over: state, deadline: deadline) {
                    recorder.recordHolder(nil, holdsHere: false)
                } else {
                    let line = "group \(group.name): \(P.name) has no detach; \(provider.address) stays routed to "
                        + "\(provider.target) until another node claims it"
                    logger.warning("\(line)")
                }
            } catch let error as ProviderError where error.kind == .conflict {
                // A fenced detach lost to a peer's claim: the address is no longer ours, which is what release wants.
                logger.info("group \(group.name): not detached: \(error.message)")
            }
        }
    }

    /// Nothing is announced on a provider's network. The engine asks for an announcement when a
    /// rival holder appears or goes (a healed partition), and the rival may have moved the address
    /// last: so this makes sure the provider still routes it here, claiming it back if not.
    public func announce(_ group: GroupConfig) async throws {
        try await outcome { try await ensureRoutedHere(group, why: "re-asserted after a rival holder") }
    }

    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        try await outcome {
            let state = try await read(deadline: ContinuousClock.now + common.claimTimeout)
            guard let holder = state.holder else { return .none }
            return holder == provider.target ? .this : .other(holder)
        }
    }

    public func telemetry() -> MoverTelemetry { recorder.snapshot() }

    /// Reads the holder; unless it is this server, logs it and assigns the address here.
    private func ensureRoutedHere(_ group: GroupConfig, why: String) async throws {
        let deadline = ContinuousClock.now + common.claimTimeout
        let state = try await read(deadline: deadline)
        if state.holder == provider.target { return }
        let line = "group \(group.name): \(P.name) routes \(provider.address) to \(state.holder ?? "nothing"); "
            + "claiming it for \(provider.target) (\(why))"
        logger.info("\(line)")
        try await provider.assign(over: state, deadline: deadline)
        recorder.recordHolder(provider.target, holdsHere: true)
    }

    public func noteDrift() { recorder.recordDrift() }

    private func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let state = try await provider.read(deadline: deadline)
        recorder.recordHolder(state.holder, holdsHere: state.holder == provider.target)
        return state
    }

    private func outcome<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            recorder.recordOutcome(nil)
            return value
        } catch {
            recorder.recordOutcome("\(error)")
            throw error
        }
    }
}

/// The options every cloud mover takes.
public struct CloudCommonSettings: Sendable, Equatable {
    /// `endpoint`: the API's base URL (tests point it at a local server).
    public var endpoint: String
    /// `claim_timeout`: the longest a claim or release may take, retries and action polling included.
    public var claimTimeout: Duration
    /// `request_timeout`: the longest one HTTP request may take.
    public var requestTimeout: Duration
    /// `reconcile_interval`: how often the agent asks the provider while this node holds the group.
    public var reconcileInterval: Duration
    /// `poll_interval`: how often an asynchronous action is polled (DigitalOcean, Hetzner).
    public var pollInterval: Duration

    static func read<P: CloudProvider>(_ check: inout OptionCheck, for _: P.Type) -> CloudCommonSettings {
        CloudCommonSettings(
            endpoint: check.url("endpoint", default: P.defaultEndpoint),
            claimTimeout: check.duration("claim_timeout", default: P.defaultClaimTimeout, minimum: .milliseconds(100)),
            requestTimeout: check.duration("request_timeout", default: P.defaultRequestTimeout, minimum: .milliseconds(50)),
            reconcileInterval: check.duration("reconcile_interval", default: .seconds(30), minimum: .milliseconds(100)),
            pollInterval: check.duration("poll_interval", default: P.defaultPollInterval, minimum: .milliseconds(10)))
    }
}
