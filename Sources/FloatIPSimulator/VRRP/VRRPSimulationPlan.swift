import FloatIPCore

/// Which routers a VRRP plan puts in its virtual router.
public enum VRRPClusterKind: String, Sendable, CaseIterable {
    /// Every node runs floatip's `VRRPRouterMachine`.
    case vrrp
    /// floatip and keepalived-model nodes in one virtual router (at least one of each).
    case mixed
    /// Every node runs the keepalived model (the reference the others are held to).
    case keepalived
}

/// Everything a seed decides for one VRRP virtual router (version 3, one VRID, one virtual
/// address): the routers, the network and the faults, each at its time. Two plans from one seed
/// are identical.
public struct VRRPSimulationPlan: Sendable {
    public var seed: UInt64
    public var cluster: VRRPClusterKind
    public var nodeNames: [String]
    public var kinds: [VRRPNodeKind]
    public var configs: [VRRPRouterConfig]
    /// keepalived's `state MASTER`, per node (floatip nodes: false).
    public var configuredMaster: [Bool]
    public var duration: Duration
    /// Loss on every link at the start and after every `.loss` fault ends.
    public var loss: Double
    public var baseDelay: Duration
    public var jitter: Duration
    public var duplicateChance: Double
    /// How long a claim takes in the simulated mover, nanoseconds (a release is immediate).
    public var moverLatency: ClosedRange<Int64>
    public var faults: [(at: Instant, fault: VRRPFault)]
    /// A rule the keepalived-model nodes break on purpose (tests of the invariants' teeth).
    var keepalivedDefect: KeepalivedModel.Defect?

    /// The advertisement interval (one for the whole virtual router).
    public var interval: Duration { configs[0].advertInterval }
    public var preempt: Bool { configs[0].preempt }
    public var preemptDelay: Duration { configs[0].preemptDelay }
    /// The longest a datagram travels.
    public var transit: Duration { baseDelay + jitter }

    /// Draws a plan: 2–5 nodes (or `nodes`) of `cluster`'s kinds, interval 50, 100 or 200 ms,
    /// priorities 1–254 (one in five 100, so ties fall to the address), an owner (255) in one seed
    /// in eight, preemption in four seeds of five with `preempt_delay` 0, 500 ms or 2 s.
    public init(seed: UInt64, cluster: VRRPClusterKind, nodes: Int? = nil, duration: Duration = .seconds(20)) {
        var rng = SplitMix64(seed: seed ^ 0x0112_5EED_0000_0005)
        self.seed = seed
        self.cluster = cluster
        self.duration = duration
        let count = nodes ?? Int.random(in: 2...5, using: &rng)
        nodeNames = (1...count).map { "n\($0)" }
        kinds = Self.drawKinds(cluster, count: count, rng: &rng)
        let interval = Duration.milliseconds([50, 100, 200].randomElement(using: &rng) ?? 100)
        let preempt = rng.chance(0.8)
        let delay = preempt ? Duration.milliseconds([0, 0, 500, 2_000].randomElement(using: &rng) ?? 0) : .zero
        var priorities = (0..<count).map { _ in rng.chance(0.2) ? 100 : Int.random(in: 1...254, using: &rng) }
        if seed % 8 == 3 { priorities[Int.random(in: 0..<count, using: &rng)] = 255 }
        // Own addresses in random order, so that the tie-break is not the node order.
        let hosts = Array((1...250).shuffled(using: &rng).prefix(count))
        configs = (0..<count).map { index in
            VRRPRouterConfig(
                version: 3, vrid: 51, priority: UInt8(priorities[index]), advertInterval: interval, preempt: preempt,
                preemptDelay: delay, ownAddress: .ipv4(198, 18, 0, UInt8(hosts[index])), addresses: [.ipv4(198, 18, 1, 1)])
        }
        let kinds = kinds
        configuredMaster = (0..<count).map { kinds[$0] == .keepalived && preempt && rng.chance(0.3) }
        loss = [0, 0, 0, 0.05, 0.2].randomElement(using: &rng) ?? 0
        baseDelay = rng.duration(.microseconds(50), .milliseconds(3))
        jitter = rng.duration(.zero, .milliseconds(5))
        duplicateChance = [0, 0.02, 0.1].randomElement(using: &rng) ?? 0
        moverLatency = 500_000...5_000_000
        faults = Self.drawFaults(kinds: kinds, baseLoss: loss, duration: duration, rng: &rng)
        faults = (faults + SimulationPlan.drawStalls(seed: seed, nodes: count, duration: duration).compactMap { at, fault in
            switch fault {
            case .stall(let node): (at, .stall(node: node))
            case .resume(let node): (at, .resume(node: node))
            default: nil
            }
        }).sorted { $0.at < $1.at }
    }

    /// A hand-written scenario: these routers on a quiet network (`loss`), and exactly `faults`.
    public init(
        scenario seed: UInt64, kinds: [VRRPNodeKind], priorities: [UInt8], hosts: [UInt8]? = nil,
        interval: Duration = .milliseconds(100), preempt: Bool = true, preemptDelay: Duration = .zero,
        configuredMaster: [Bool]? = nil, loss: Double = 0, duration: Duration, faults: [(at: Instant, fault: VRRPFault)]
    ) {
        self.seed = seed
        cluster = Set(kinds).count > 1 ? .mixed : kinds[0] == .floatip ? .vrrp : .keepalived
        self.duration = duration
        nodeNames = (1...kinds.count).map { "n\($0)" }
        self.kinds = kinds
        let hosts = hosts ?? (1...kinds.count).map { UInt8($0) }
        configs = kinds.indices.map { index in
            VRRPRouterConfig(
                version: 3, vrid: 51, priority: priorities[index], advertInterval: interval, preempt: preempt,
                preemptDelay: preemptDelay, ownAddress: .ipv4(198, 18, 0, hosts[index]), addresses: [.ipv4(198, 18, 1, 1)])
        }
        self.configuredMaster = configuredMaster ?? kinds.map { _ in false }
        self.loss = loss
        baseDelay = .microseconds(100)
        jitter = .microseconds(100)
        duplicateChance = 0
        moverLatency = 1_000_000...2_000_000
        self.faults = faults
    }

    private static func drawKinds(_ cluster: VRRPClusterKind, count: Int, rng: inout SplitMix64) -> [VRRPNodeKind] {
        switch cluster {
        case .vrrp: return Array(repeating: .floatip, count: count)
        case .keepalived: return Array(repeating: .keepalived, count: count)
        case .mixed:
            var kinds = (0..<count).map { _ in rng.chance(0.5) ? VRRPNodeKind.floatip : .keepalived }
            if Set(kinds).count == 1 {
                let flip = Int.random(in: 0..<count, using: &rng)
                kinds[flip] = kinds[flip] == .floatip ? .keepalived : .floatip
            }
            return kinds
        }
    }
}
