import FloatIPCore

/// One simulated server: its agent (absent while crashed) and the world around it.
struct SimNode {
    let index: Int
    let config: ClusterConfig
    var machine: NodeMachine?
    var boots = 0
    var bootedAt = Instant.zero
    var wakeGeneration = 0
    /// Health of the service, per group (what the checks would see).
    var healthy: [Bool]
    var priorityDrop: [Int]
    var maintenance = false
    /// Whether the group's addresses are on this server now (the truth clients see).
    var holds: [Bool]
    var holdStart: [Instant]
    /// The epoch of a claim the mover is still carrying out, per group.
    var pendingClaim: [UInt64?]
    var failNextClaim = false
    /// The mover failed; the node may not claim before this instant.
    var moverFaultUntil: [Instant]
    /// Simulated check result streams (`.checkResults`), per group: the hysteresis their results go
    /// through, and a generation that retires the events of a replaced stream.
    var checkStreams: [SimCheckStream?]
    /// etcd mode: each group's fenced mover (the agent's; reset when it crashes), and the addresses'
    /// kernel lifetimes (the server's: they outlive the agent).
    var fenced: [SimFencedMover]
    var addresses: [SimAddressLife]
    /// Stalled (`.stall`): since when; the inputs that arrived meanwhile wait in `waiting`, in order.
    var stalledSince: Instant?
    var waiting: [Simulation.Event] = []
    /// Until when a peer may still count this node alive from a quiet heartbeat it sent (its
    /// quiet bound, docs/decision.md): a takeover that waits for it is not late (invariant (b)).
    var quietUntil = Instant.zero
    /// `bgp` mover: since when the router has this node's route for each group (nil: none). The
    /// world's truth in that mode, in place of `holds` (which is then the speaker's own state).
    var routed: [Instant?]
    /// `bgp` mover: when the node last stopped announcing each group (a release, or its host's death).
    var releasedAt: [Instant]
    /// `bgp` mover: since when the router has a session with the node (nil: none, so the node cannot
    /// hold anything the clients would see). Always `.zero` with other movers.
    var routerSessionSince: Instant? = .zero

    init(index: Int, config: ClusterConfig) {
        self.index = index
        self.config = config
        let groups = config.groups.count
        healthy = Array(repeating: true, count: groups)
        priorityDrop = Array(repeating: 0, count: groups)
        holds = Array(repeating: false, count: groups)
        holdStart = Array(repeating: .zero, count: groups)
        pendingClaim = Array(repeating: nil, count: groups)
        moverFaultUntil = Array(repeating: .zero, count: groups)
        checkStreams = Array(repeating: nil, count: groups)
        fenced = Array(repeating: SimFencedMover(), count: groups)
        addresses = Array(repeating: SimAddressLife(), count: groups)
        routed = Array(repeating: nil, count: groups)
        releasedAt = Array(repeating: .zero, count: groups)
    }

    var name: String { config.node.name }
    var isUp: Bool { machine != nil }

    /// The condition the checks would report for group `g`.
    /// etcd mode: a lost tenure's coordination fault comes on top (`AgentCore.withCoordinationFault`).
    func condition(_ g: Int) -> LocalCondition {
        let coordination = fenced[g].fault
        let reasons = [healthy[g] ? nil : "required check service failing (simulated)", coordination].compactMap { $0 }
        return LocalCondition(
            healthy: healthy[g] && coordination == nil, faultReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            priority: max(0, config.groups[g].priority - priorityDrop[g]))
    }

    /// Could hold group `g` now: up, past its start-up listen, healthy, not in maintenance, mover working
    /// (with the `bgp` mover: a session with the router).
    func canHold(_ g: Int, now: Instant, listen: Duration) -> Bool {
        isUp && stalledSince == nil && healthy[g] && !maintenance && routerSessionSince != nil
            && now >= eligibleFrom(g, listen: listen)
    }

    func eligibleFrom(_ g: Int, listen: Duration) -> Instant {
        max(bootedAt + listen, moverFaultUntil[g], routerSessionSince ?? .zero)
    }
}

/// One simulated check's results: a repeating pattern, one result per `every`, through the real `Hysteresis`.
struct SimCheckStream {
    var pattern: [Bool]
    var every: Duration
    var hysteresis: Hysteresis
    var generation: Int
}
