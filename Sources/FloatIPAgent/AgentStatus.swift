import FloatIPCore

/// A snapshot of the running node for `GET /v1/status` and `floatip status`: every group with its
/// role, holder and reason; every peer with how long ago it was heard; the checks; the counters;
/// the last transitions. Codable, so the API serves it as JSON and the CLI reads it back.
public struct AgentStatus: Codable, Sendable, Equatable {
    public var node: String
    public var cluster: String
    /// Node-wide operator maintenance.
    public var maintenance: Bool
    public var groups: [Group]
    public var peers: [Peer]
    public var checks: [Check]
    public var counters: Counters
    /// The most recent role changes on this node, oldest first (at most `AgentCore.transitionMemory`).
    public var transitions: [TransitionRecord]
    /// The agent's version, commit and build date (nil from agents older than 0.1.0's build info).
    public var build: BuildInfo?
    /// Milliseconds since the agent started (monotonic; the clock of `TransitionRecord.atMs`).
    public var uptimeMs: Double?
    /// Tracking (`track:`): the verdict and each target's last answer; nil without `track:`.
    public var tracking: Tracking? = nil

    /// Whether this node reaches any tracked address (docs/pairs.md).
    public struct Tracking: Codable, Sendable, Equatable {
        /// `reachable` (some target answers), `unreachable` (none does: every group is in fault), or
        /// `unknown` (no verdict yet) — the `track` check's state after rise/fall.
        public var verdict: String
        public var targets: [TrackTarget]
    }

    public struct TrackTarget: Codable, Sendable, Equatable {
        /// As the config writes it: `198.18.0.254`, `witness 198.18.0.9:7455`.
        public var target: String
        /// `ping` or `witness`.
        public var kind: String
        /// Whether it answered in the last round; nil before the first.
        public var reachable: Bool?
        public var detail: String
        /// Milliseconds since its last round ended; nil before the first.
        public var lastCheckedMs: Double?
    }

    public struct Group: Codable, Sendable, Equatable {
        public var name: String
        public var role: String
        public var reason: String
        /// Who holds the group as this node sees it (itself, a live peer that says so), or nil.
        public var holder: String?
        public var term: UInt64
        public var priority: Int
        public var maintenance: Bool
        /// The target of a handover this node has started, if any.
        public var handoverTo: String?
        /// What the group's mover last did at its provider (cloud movers only): last call, latency,
        /// answer, and the holder the provider reports.
        public var mover: MoverTelemetry? = nil
        /// A VRRP group's advertisements dropped, by reason (`VRRPError.reason`: `bad_ttl`, `other_vrid`, …);
        /// nil for a group on floatip's own protocol.
        public var vrrpDropped: [String: Int]? = nil
    }

    public struct Peer: Codable, Sendable, Equatable {
        public var name: String
        public var address: String
        /// `alive`, `dead` (silent for the dead interval) or `never` (not heard since this node started).
        public var state: String
        /// Milliseconds since the last accepted datagram, nil if never.
        public var lastHeardMs: Double?
        /// The peer's heartbeat interval differs from ours.
        public var timerMismatch: Bool
        /// Set while the peer is a quiet standby: how often it heartbeats, in milliseconds
        /// (docs/decision.md, quiet standbys). Nil: every interval.
        public var quietEveryMs: Double? = nil
    }

    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var kind: String
        /// `passing`, `failing` or `unknown`.
        public var state: String
        public var required: Bool
        public var detail: String
    }

    public struct Counters: Codable, Sendable, Equatable {
        public var sent: Int
        public var received: Int
        /// Datagrams dropped, by reason (`bad_auth`, `replay`, `unknown_peer`, …).
        public var rejected: [String: Int]
        public var transitions: Int
        /// Stalls the agent noticed (rule 8 of docs/decision.md); absent from agents before it.
        public var stalls: Int?
    }

    public struct TransitionRecord: Codable, Sendable, Equatable {
        public var group: String
        public var from: String
        public var to: String
        public var reason: String
        /// Milliseconds since the agent started (monotonic).
        public var atMs: Double
    }
}
