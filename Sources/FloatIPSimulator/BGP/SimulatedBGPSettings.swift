import FloatIPCore

/// The `bgp` mover in the simulator (`SimulationPlan.bgp`): every group's truth is one router's
/// table, fed by one BGP session per node (docs/bgp.md, docs/simulator.md "bgp mover").
public struct SimulatedBGPSettings: Sendable, Equatable {
    /// How long an UPDATE (or a closed session) takes to change the router's table: one value per
    /// seed, so that updates keep their order across sessions as well as within one (a router
    /// handles its peers' messages in the order they came; a random delay per update would let a
    /// withdrawal sent after a make-before-break announcement overtake it, which BIRD does not do).
    public var routerDelay: Duration
    /// How long the router keeps a silent (stalled) peer's routes: BFD's detection time
    /// (3 × 100 ms) or the hold time (3 s or 9 s).
    public var detection: Duration
    /// The speaker's first reconnect after it finds its session gone (`BGPSession`'s backoff).
    public var reconnectBackoff: Duration = .seconds(1)
    /// A planted defect, for the tests that show the invariants have teeth (nil: none).
    public var defect: Defect?

    /// Ways to break the model on purpose; each must be caught by an invariant.
    public enum Defect: Sendable, Equatable {
        /// The router keeps a silent peer's routes this much longer than `detection`.
        case lateDetection(by: Duration)
        /// The speaker re-announces, on reconnect, what it had announced before the session went,
        /// including groups released meanwhile.
        case reannouncesReleased
    }

    /// The detection times a seed draws from, with their names for the plan's summary.
    static let detections: [(Duration, String)] = [
        (.milliseconds(300), "BFD 3 × 100 ms"), (.seconds(3), "hold time 3 s"), (.seconds(9), "hold time 9 s"),
    ]

    public init(routerDelay: Duration = .milliseconds(5), detection: Duration = .milliseconds(300), defect: Defect? = nil) {
        self.routerDelay = routerDelay
        self.detection = detection
        self.defect = defect
    }

    /// Draws a seed's router from a stream of its own, so that a bgp seed has the same cluster and
    /// faults as the plain seed of the same number: router delay 1–20 ms, detection BFD (300 ms),
    /// or a hold time of 3 s or 9 s.
    public init(seed: UInt64) {
        var rng = SplitMix64(seed: seed ^ 0xB6_9000_0000_0001)
        routerDelay = rng.duration(.milliseconds(1), .milliseconds(20))
        detection = (Self.detections.randomElement(using: &rng) ?? Self.detections[0]).0
    }

    /// How the plan's summary names the detection.
    var detectionName: String {
        Self.detections.first { $0.0 == detection }?.1 ?? "detection \(detection.shortDescription)"
    }
}
