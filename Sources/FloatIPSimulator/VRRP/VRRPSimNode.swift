import FloatIPCore

/// One simulated server in VRRP mode: its router process (absent while down) and the world around it.
struct VRRPSimNode {
    let name: String
    let kind: VRRPNodeKind
    let config: VRRPRouterConfig
    let configuredMaster: Bool
    var router: SimVRRPRouter?
    var boots = 0
    var wakeGeneration = 0
    /// The required check passes (what the service's health would show).
    var healthy = true
    /// Added to the configured priority: the failing weighted checks (zero or negative here).
    var weight = 0
    var maintenance = false
    /// Whether the virtual address is on this server now (the truth clients see), and since when.
    var holds = false
    var holdStart = Instant.zero
    /// The claim the mover is still carrying out.
    var pendingClaim: UInt64?
    var epoch: UInt64 = 0
    /// Stalled: since when; the inputs that arrived meanwhile wait in `waiting`, in order.
    var stalledSince: Instant?
    var waiting: [VRRPSimulation.Event] = []
    /// Since when the node has been up, running and not stalled (nil while it is not).
    var eligibleSince: Instant?

    var isUp: Bool { router != nil }
    /// The router should run: no required check failing, no maintenance (the agent's `applyVRRP`).
    var running: Bool { healthy && !maintenance }
    /// Could be master now: up, running, not stalled.
    var eligible: Bool { isUp && running && stalledSince == nil }
}
