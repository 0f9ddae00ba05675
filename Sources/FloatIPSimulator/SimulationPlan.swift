import FloatIPCore

/// Everything a seed decides before the run starts: the cluster, the network's character and
/// the faults, each at its time. Two plans from one seed are identical.
public struct SimulationPlan: Sendable {
    public var seed: UInt64
    public var nodeNames: [String]
    public var configs: [ClusterConfig]
    public var duration: Duration
    /// Independent loss on every link at the start (faults can change it).
    public var loss: Double
    public var baseDelay: Duration
    public var jitter: Duration
    public var duplicateChance: Double
    /// How long a claim takes in the simulated mover (a release is immediate).
    public var moverLatency: ClosedRange<Int64>
    public var faults: [(at: Instant, fault: Fault)]
    /// Rise and fall of the simulated health checks that `.checkResults` feeds (through the real `Hysteresis`).
    public var checkRise = 2
    public var checkFall = 2
    /// `coordination: etcd`: every node's movers are fenced by a simulated etcd (nil: peers only).
    public var etcd: SimulatedEtcdSettings?
    /// The `bgp` mover: every group is announced to one simulated router, whose table is the truth
    /// (nil: the local mover, addresses on the servers). `withBGP()` adds a seed's own draw.
    public var bgp: SimulatedBGPSettings?

    public var timers: Timers { configs[0].timers }
    public var groupNames: [String] { configs[0].groups.map(\.name) }

    /// What happens to the simulated world at one instant.
    public enum Fault: Sendable, CustomStringConvertible {
        case crash(node: Int)
        case restart(node: Int)
        case partition(side: [Int])
        /// Every link between two nodes is cut (each node alone); `.heal` ends it.
        case isolateAll
        case heal
        case loss(Double)
        case checkFails(node: Int, group: Int)
        case checkRecovers(node: Int, group: Int)
        case priorityDrop(node: Int, group: Int, by: Int)
        case priorityRestore(node: Int, group: Int)
        case maintenance(node: Int, on: Bool)
        case switchover(group: Int, target: Int?)
        case failNextClaim(node: Int)
        /// The node's agent stops (SIGSTOP, a paused VM): every input for it waits, its addresses stay
        /// in place; `.resume` lets the waiting inputs through, all at once, as a resumed process reads them.
        case stall(node: Int)
        case resume(node: Int)
        /// From now on the node's check for the group reports `pattern` (pass = true), one result
        /// `every` interval, the pattern repeated to the end of the run; the results go through a
        /// `Hysteresis` with the plan's `checkRise`/`checkFall`, whose state is the node's health for
        /// the group. A later `.checkResults` for the same node and group replaces the pattern; the
        /// check keeps its hysteresis state.
        case checkResults(node: Int, group: Int, pattern: [Bool], every: Duration)
        /// etcd mode: the link between a node and etcd is cut (requests and answers vanish), or restored.
        case etcdCut(node: Int)
        case etcdRestore(node: Int)
        /// etcd mode: the etcd cluster stops answering (no quorum, frozen), or answers again.
        case etcdDown
        case etcdUp
        /// etcd mode: every request and answer takes this much longer one way (zero: normal again).
        case etcdSlow(Duration)

        public var description: String {
            switch self {
            case .crash(let node): "crash n\(node + 1)"
            case .restart(let node): "restart n\(node + 1)"
            case .partition(let side): "partition {\(side.map { "n\($0 + 1)" }.joined(separator: ","))} from the rest"
            case .isolateAll: "partition every node from every other"
            case .heal: "heal partition"
            case .loss(let p): "loss \(Int(p * 100)) %"
            case .checkFails(let node, let group): "check fails on n\(node + 1) for g\(group + 1)"
            case .checkRecovers(let node, let group): "check recovers on n\(node + 1) for g\(group + 1)"
            case .priorityDrop(let node, let group, let by): "priority of n\(node + 1) for g\(group + 1) drops by \(by)"
            case .priorityRestore(let node, let group): "priority of n\(node + 1) for g\(group + 1) restored"
            case .maintenance(let node, let on): "maintenance \(on ? "on" : "off") on n\(node + 1)"
            case .switchover(let group, let target):
                "operator: switchover g\(group + 1)" + (target.map { " to n\($0 + 1)" } ?? "")
            case .failNextClaim(let node): "next claim on n\(node + 1) will fail"
            case .stall(let node): "n\(node + 1) stalls (SIGSTOP)"
            case .resume(let node): "n\(node + 1) resumes (SIGCONT)"
            case .checkResults(let node, let group, let pattern, let every):
                "check on n\(node + 1) for g\(group + 1) reports "
                    + pattern.map { $0 ? "pass" : "fail" }.joined(separator: ",") + " every \(every.shortDescription)"
            case .etcdCut(let node): "n\(node + 1) cut off from etcd"
            case .etcdRestore(let node): "n\(node + 1) reaches etcd again"
            case .etcdDown: "etcd down"
            case .etcdUp: "etcd up"
            case .etcdSlow(let extra): extra == .zero ? "etcd fast again" : "etcd slow: +\(extra.shortDescription) each way"
            }
        }
    }

    /// Draws a plan. `nodes` nil: 2–5 nodes from the seed.
    public init(seed: UInt64, nodes: Int? = nil, duration: Duration = .seconds(20)) {
        self.init(
            seed: seed, nodes: nodes, duration: duration, faultGap: (.milliseconds(200), .seconds(3)),
            longestFault: .seconds(4))
    }

    /// Draws a plan whose faults come `faultGap` apart and last up to `longestFault` (uniformly);
    /// with `stalls`, stalled agents besides (`drawStalls`).
    init(
        seed: UInt64, nodes: Int?, duration: Duration, faultGap: (low: Duration, high: Duration), longestFault: Duration,
        stalls: Bool = true
    ) {
        var rng = SplitMix64(seed: seed)
        self.seed = seed
        self.duration = duration
        let count = nodes ?? Int.random(in: 2...5, using: &rng)
        nodeNames = (1...count).map { "n\($0)" }
        let interval = Duration.milliseconds([20, 50, 100].randomElement(using: &rng) ?? 20)
        let deadAfter = Int.random(in: 3...15, using: &rng)
        let timers = Timers(
            interval: interval, deadAfter: deadAfter,
            preemptDelay: .milliseconds([0, 200, 1_000, 3_000].randomElement(using: &rng) ?? 0),
            handoverTimeout: max(.seconds(1), interval * deadAfter * 2),
            // One seed in eight keeps every standby at full rate (`quiet_standby: false`); taken
            // from the seed, not the stream, so that every other draw stays what it was.
            quietStandby: seed % 8 != 0)
        let groupCount = Int.random(in: 1...2, using: &rng)
        let preempt = (0..<groupCount).map { _ in rng.chance(0.8) }
        // Priorities: sometimes equal (ties are broken by name), usually distinct.
        let priorities = (0..<groupCount).map { _ in
            (0..<count).map { _ in rng.chance(0.2) ? 100 : Int.random(in: 1...254, using: &rng) }
        }
        configs = Self.clusterConfigs(timers: timers, priorities: priorities, preempt: preempt)
        loss = [0, 0, 0.05, 0.2, 0.5].randomElement(using: &rng) ?? 0
        baseDelay = rng.duration(.microseconds(50), .milliseconds(3))
        jitter = rng.duration(.zero, .milliseconds(5))
        duplicateChance = [0, 0.02, 0.1].randomElement(using: &rng) ?? 0
        moverLatency = 500_000...5_000_000
        faults = Self.drawFaults(
            nodes: count, groups: groupCount, duration: duration, gap: faultGap, longest: longestFault, rng: &rng)
        if stalls {
            faults = (faults + Self.drawStalls(seed: seed, nodes: count, duration: duration)).sorted { $0.at < $1.at }
        }
    }

    /// The same plan with the `bgp` mover, its router drawn from the seed's own stream: a bgp seed
    /// has the cluster, network and faults of the plain seed of the same number.
    public func withBGP() -> SimulationPlan {
        var plan = self
        plan.bgp = SimulatedBGPSettings(seed: seed)
        return plan
    }

    /// Stalls of 0.1–5 s, a few seconds apart, from a stream of their own: adding them left every
    /// seed's other faults as they were (seeds named in docs/simulator.md keep their meaning).
    static func drawStalls(seed: UInt64, nodes: Int, duration: Duration) -> [(at: Instant, fault: Fault)] {
        var rng = SplitMix64(seed: seed ^ 0x57A1_15EE_D000_0001)
        var stalls: [(at: Instant, fault: Fault)] = []
        var time = Instant.zero + rng.duration(.seconds(1), .seconds(10))
        let end = Instant.zero + duration
        while time < end {
            let node = Int.random(in: 0..<nodes, using: &rng)
            let length = rng.duration(.milliseconds(100), .seconds(5))
            stalls.append((time, .stall(node: node)))
            stalls.append((time + length, .resume(node: node)))
            time = time + length + rng.duration(.seconds(2), .seconds(12))
        }
        return stalls
    }

    /// A hand-written scenario: the given cluster, a quiet network with `loss`, and exactly `faults`.
    /// `priorities[group][node]`.
    public init(
        scenario seed: UInt64, timers: Timers, priorities: [[Int]], preempt: Bool = true, loss: Double = 0,
        checkRise: Int = 2, checkFall: Int = 2, etcd: SimulatedEtcdSettings? = nil, bgp: SimulatedBGPSettings? = nil,
        duration: Duration, faults: [(at: Instant, fault: Fault)]
    ) {
        self.etcd = etcd
        self.bgp = bgp
        self.checkRise = checkRise
        self.checkFall = checkFall
        self.seed = seed
        self.duration = duration
        nodeNames = (1...priorities[0].count).map { "n\($0)" }
        configs = Self.clusterConfigs(
            timers: timers, priorities: priorities, preempt: Array(repeating: preempt, count: priorities.count))
        self.loss = loss
        baseDelay = .microseconds(100)
        jitter = .microseconds(100)
        duplicateChance = 0
        moverLatency = 1_000_000...2_000_000
        self.faults = faults
    }

    /// One config per node: nodes n1…nN on 198.18.0.x, groups g1…gM on 198.18.1.x.
    static func clusterConfigs(timers: Timers, priorities: [[Int]], preempt: [Bool]) -> [ClusterConfig] {
        let count = priorities[0].count
        return (0..<count).map { index in
            ClusterConfig(
                cluster: "sim", node: NodeConfig(name: "n\(index + 1)", address: .ipv4(198, 18, 0, UInt8(index + 1))),
                peers: (0..<count).filter { $0 != index }.map {
                    PeerConfig(name: "n\($0 + 1)", address: .ipv4(198, 18, 0, UInt8($0 + 1)))
                },
                secretFile: "/dev/null", timers: timers,
                groups: priorities.indices.map { group in
                    GroupConfig(
                        name: "g\(group + 1)",
                        addresses: [IPPrefix(address: .ipv4(198, 18, 1, UInt8(group + 1)), length: 32)],
                        interface: "sim0", priority: priorities[group][index], preempt: preempt[group])
                },
                checks: [], api: APIConfig())
        }
    }

    /// Faults one after another with random gaps; a fault that would overlap one of its kind on
    /// the same node is skipped, so every fault has its matching recovery.
    private static func drawFaults(
        nodes: Int, groups: Int, duration: Duration, gap: (low: Duration, high: Duration), longest: Duration,
        rng: inout SplitMix64
    )
        -> [(at: Instant, fault: Fault)]
    {
        var faults: [(at: Instant, fault: Fault)] = []
        var busy: [String: Instant] = [:]
        var time = Instant.zero + rng.duration(.milliseconds(500), .seconds(2))
        let end = Instant.zero + duration
        func free(_ key: String, from start: Instant, until stop: Instant) -> Bool {
            guard (busy[key] ?? .zero) <= start else { return false }
            busy[key] = stop
            return true
        }
        while time < end {
            let length = rng.duration(.milliseconds(100), longest)
            let stop = time + length
            let node = Int.random(in: 0..<nodes, using: &rng)
            let group = Int.random(in: 0..<groups, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1:
                if free("crash\(node)", from: time, until: stop) {
                    faults.append((time, .crash(node: node)))
                    faults.append((stop, .restart(node: node)))
                }
            case 2:
                if free("partition", from: time, until: stop) {
                    let side = (0..<nodes).filter { _ in rng.chance(0.5) }
                    if !side.isEmpty && side.count < nodes {
                        faults.append((time, .partition(side: side)))
                        faults.append((stop, .heal))
                    }
                }
            case 3:
                faults.append((time, .loss([0, 0.05, 0.2, 0.5].randomElement(using: &rng) ?? 0)))
            case 4, 5:
                if free("check\(node).\(group)", from: time, until: stop) {
                    faults.append((time, .checkFails(node: node, group: group)))
                    faults.append((stop, .checkRecovers(node: node, group: group)))
                }
            case 6:
                if free("weight\(node).\(group)", from: time, until: stop) {
                    faults.append((time, .priorityDrop(node: node, group: group, by: Int.random(in: 50...250, using: &rng))))
                    faults.append((stop, .priorityRestore(node: node, group: group)))
                }
            case 7:
                if free("maintenance\(node)", from: time, until: stop) {
                    faults.append((time, .maintenance(node: node, on: true)))
                    faults.append((stop, .maintenance(node: node, on: false)))
                }
            case 8:
                let target = rng.chance(0.5) ? Int.random(in: 0..<nodes, using: &rng) : nil
                faults.append((time, .switchover(group: group, target: target)))
            default:
                faults.append((time, .failNextClaim(node: node)))
            }
            time = time + rng.duration(gap.low, gap.high)
        }
        return faults.sorted { $0.at < $1.at }
    }
}
