/// What a mover that talks to a provider last did, for status and metrics: its last call, how long
/// it took, what the provider answered, and who the provider says holds the group.
///
/// A plain value: the mover fills it in (it reads the clocks), the agent only shows it.
public struct MoverTelemetry: Sendable, Equatable, Codable {
    /// The mover kind (`aws`, `digitalocean`, …).
    public var kind: String
    /// The last call, as `METHOD /path` (never with credentials), e.g. `POST /v2/reserved_ips/203.0.113.7/actions`.
    public var lastCall: String?
    /// When the last call finished, wall-clock milliseconds since 1970.
    public var lastCallAtMs: UInt64?
    /// How long the last call took (one attempt), in milliseconds.
    public var latencyMs: Double?
    /// The provider's answer to the last call, summarised: `HTTP 200`, `HTTP 429: too many requests`.
    public var answer: String?
    /// The holder as the provider names it (a server id, an instance, a MAC), from the last read; nil: nobody or unknown.
    public var providerHolder: String?
    /// Whether the last read said this node is the holder; nil before the first read.
    public var providerHoldsHere: Bool?
    /// The last operation's error, cleared by the next success.
    public var lastError: String?
    /// Calls made (each attempt counts), attempts that were retried, and operations that failed.
    public var calls: Int
    public var retries: Int
    public var failures: Int
    /// How often the reconcile loop found the provider pointing elsewhere while this node held the group.
    public var drifts: Int

    public init(kind: String) {
        self.kind = kind
        calls = 0
        retries = 0
        failures = 0
        drifts = 0
    }
}

/// A mover that keeps `MoverTelemetry` (the cloud movers).
public protocol MoverTelemetrySource: Sendable {
    /// A copy of the mover's telemetry now.
    func telemetry() -> MoverTelemetry
    /// Counts one drift found by the agent's reconcile loop.
    func noteDrift()
}
