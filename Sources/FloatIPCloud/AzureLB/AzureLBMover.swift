import FloatIPCore
import FloatIPLinux
import Logging
import NIOCore
import NIOPosix

/// `mover: azure-lb`: a load balancer sends the floating address's traffic to the backend whose
/// health probe answers, so this mover answers the probe only while this node holds the group
/// (Pacemaker's azure-lb resource does the same with `nc -l`). Azure Load Balancer, HAProxy, or any
/// load balancer that health-checks its backends by TCP or HTTP.
///
/// - `claim` configures the addresses locally first when the group names an `interface` (an Azure
///   LB rule with floating IP delivers packets to the frontend address itself), then opens the port.
/// - `release` closes the port first (the load balancer stops sending), then removes the addresses.
/// - `holder`: this node while the port answers here, else nobody (the load balancer knows the rest).
/// - `announce` re-announces the local addresses and reopens the port if it closed.
public struct AzureLBMover: Mover, MoverTelemetrySource {
    public let listener: ProbeListener
    let local: LocalMover?
    let node: String
    let recorder: TelemetryRecorder
    let logger: Logger

    public init(settings: AzureLBSettings, local: LocalMover?, node: String, logger: Logger = .silent) {
        listener = ProbeListener(settings: settings)
        self.local = local
        self.node = node
        self.logger = logger
        recorder = TelemetryRecorder(kind: MoverKind.azureLB.rawValue)
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        try await local?.claim(group, epoch: epoch)
        try await open(group)
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        await listener.close()
        recorder.recordCall("close \(listener.settings.listenText)", latency: .zero, answer: "closed", retried: false)
        recorder.recordHolder(nil, holdsHere: false)
        recorder.recordOutcome(nil)
        try await local?.release(group, epoch: epoch)
    }

    public func announce(_ group: GroupConfig) async throws {
        try await local?.announce(group)
        try await open(group)
    }

    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        if await listener.isOpen { return .this }
        // Another process (`floatip mover holder` beside a running agent): does the port answer here?
        return await Self.answers(listener.settings) ? .this : .none
    }

    /// `claimed web: answering the load balancer's probe on 0.0.0.0:9100 (HTTP /healthz) in 1 ms`.
    public func claimSummary(of group: GroupConfig, took: Duration) -> String {
        let settings = listener.settings
        return "claimed \(group.name): answering the load balancer's probe on \(settings.listenText) "
            + (settings.path.map { "(HTTP \($0))" } ?? "(TCP)") + (local == nil ? "" : " with the addresses on \(group.interface ?? "?")")
            + " in \(took.shortDescription)"
    }

    public func telemetry() -> MoverTelemetry { recorder.snapshot() }

    public func noteDrift() { recorder.recordDrift() }

    private func open(_ group: GroupConfig) async throws {
        let started = ContinuousClock.now
        let settings = listener.settings
        let call = "listen \(settings.listenText)" + (settings.path.map { " (HTTP \($0))" } ?? " (TCP)")
        do {
            try await listener.open()
        } catch {
            let message = "group \(group.name): cannot answer the load balancer's probe on \(settings.listenText) "
                + "(mover.port, mover.bind): \(error)"
            recorder.recordCall(call, latency: ContinuousClock.now - started, answer: "\(error)", retried: false)
            recorder.recordOutcome(message)
            logger.error("\(message)")
            throw AzureLBError(message: message)
        }
        recorder.recordCall(call, latency: ContinuousClock.now - started, answer: "listening", retried: false)
        recorder.recordHolder(node, holdsHere: true)
        recorder.recordOutcome(nil)
    }

    /// Whether a TCP connection to the probe's port succeeds within 500 ms (on loopback when it
    /// listens on every address).
    static func answers(_ settings: AzureLBSettings) async -> Bool {
        let host = settings.bind == IPAddress("0.0.0.0") ? "127.0.0.1" : settings.bind == IPAddress("::") ? "::1" : "\(settings.bind)"
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(500))
                .connect(host: host, port: Int(settings.port)).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

/// The probe's port could not be opened; the message names the group, the options and the reason.
public struct AzureLBError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
