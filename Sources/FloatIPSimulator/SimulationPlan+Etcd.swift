import FloatIPCore

/// How the simulated etcd and the fenced movers behave (docs/coordination.md, docs/simulator.md).
public struct SimulatedEtcdSettings: Sendable {
    /// The lease's TTL (whole seconds, as etcd takes it).
    public var ttl: Duration
    /// One way between a node and etcd, nanoseconds (a request or an answer; a write's commit included).
    public var latency: ClosedRange<Int64>
    /// Where the lessor's 500 ms ticks fall (0 ..< 500 ms).
    public var lessorPhase: Duration
    /// What a returning etcd adds to every lease beyond its TTL (its election timeout, 1 s by default).
    public var promoteExtension: Duration
    /// How late the kernel deletes an address after its lifetime ends, at most (the local mover
    /// assumes 500 ms; measured 0–170 ms).
    public var kernelSlack: Duration
    /// How often the local mover's address keeper renews lifetimes while nothing else does.
    public var maintainEvery: Duration

    /// etcd's lessor looks for expired leases this often.
    public static let lessorInterval: Duration = .milliseconds(500)

    public init(
        ttl: Duration = .seconds(3), latency: ClosedRange<Int64> = 200_000...2_000_000, lessorPhase: Duration = .zero,
        promoteExtension: Duration = .seconds(1), kernelSlack: Duration = .milliseconds(500),
        maintainEvery: Duration = .seconds(1)
    ) {
        self.ttl = ttl
        self.latency = latency
        self.lessorPhase = lessorPhase
        self.promoteExtension = promoteExtension
        self.kernelSlack = kernelSlack
        self.maintainEvery = maintainEvery
    }

    /// The election's renewal interval and per-request limit: `ttl / 3`.
    public var renewInterval: Duration { ttl / 3 }
    /// How long before the lease can expire on the server the holder gives up (the election
    /// machine's default: `ttl / 5`, at least 500 ms).
    public var margin: Duration { ElectionMachine.defaultMargin(ttl: ttl) }

    /// After the last disturbance, with every node reaching etcd and the peers reaching each other,
    /// some healthy node holds each group within this bound:
    /// - a dead holder's lease runs out on the server within `ttl` + 500 ms (the lessor's tick) of its
    ///   last renewal's arrival (a renewal still in flight when it died arrives a few ms later);
    /// - a standby whose claim met the key is in fault for `retry` = max(1 s, dead interval), then
    ///   listens one dead interval more before it claims again (the engine's re-listen), so the first
    ///   claim after the key is gone starts within `retry` + dead interval;
    /// - that claim's campaign (two round trips) and the inner claim take milliseconds:
    ///   `campaignAllowance` covers them with the in-flight renewal.
    /// A returning etcd counts as a disturbance `promoteExtension` after it returns (the leases it
    /// refreshed run that much longer).
    public func livenessBound(_ timers: Timers) -> Duration {
        ttl + Self.lessorInterval + max(.seconds(1), timers.deadInterval) + timers.deadInterval + Self.campaignAllowance
    }

    /// Round trips to etcd and the inner claim, in the liveness bound (etcd at its normal speed).
    public static let campaignAllowance: Duration = .milliseconds(100)
}

extension SimulationPlan {
    /// A random plan in etcd mode: 2–4 nodes (or `nodes`), the cluster and network of
    /// `init(seed:nodes:duration:)` with sparser, longer faults of the same kinds, plus a simulated
    /// etcd (TTL 3 or 5 s) and faults of its own: nodes cut off from etcd, etcd down, etcd slow (up
    /// to half the TTL each way), every node cut off from every other; each healed later.
    public init(etcdSeed seed: UInt64, nodes: Int? = nil, duration: Duration = .seconds(30)) {
        var rng = SplitMix64(seed: seed ^ 0xE7CD_0000_5EED_0003)
        // Sparser and longer peer faults than the plain plans: quiet stretches of several TTLs (a
        // crashed holder that stays down) let (e5) bite.
        self.init(
            seed: seed, nodes: nodes ?? Int.random(in: 2...4, using: &rng), duration: duration,
            faultGap: (.milliseconds(500), .seconds(8)), longestFault: .seconds(10),
            // A stalled agent's etcd calls would have to wait too; the simulated etcd does not model that.
            stalls: false)
        let ttl = Duration.seconds([3, 5].randomElement(using: &rng) ?? 3)
        etcd = SimulatedEtcdSettings(
            ttl: ttl, latency: 200_000...Int64.random(in: 500_000...5_000_000, using: &rng),
            lessorPhase: rng.duration(.zero, .milliseconds(499)))
        let extra = Self.drawEtcdFaults(nodes: nodeNames.count, ttl: ttl, duration: duration, rng: &rng)
        faults = (faults + extra).sorted { $0.at < $1.at }
    }

    /// etcd faults with random gaps, each with its recovery; one of a kind at a time.
    private static func drawEtcdFaults(nodes: Int, ttl: Duration, duration: Duration, rng: inout SplitMix64)
        -> [(at: Instant, fault: Fault)]
    {
        var faults: [(at: Instant, fault: Fault)] = []
        var busy: [String: Instant] = [:]
        var time = Instant.zero + rng.duration(.seconds(1), .seconds(4))
        let end = Instant.zero + duration
        while time < end {
            let stop = time + rng.duration(.milliseconds(200), ttl * 2)
            let node = Int.random(in: 0..<nodes, using: &rng)
            let kind = Int.random(in: 0..<5, using: &rng)
            let key = kind < 2 ? "cut\(node)" : kind == 2 ? "down" : kind == 3 ? "slow" : "isolate"
            if (busy[key] ?? .zero) <= time {
                busy[key] = stop
                switch kind {
                case 0, 1:
                    faults += [(time, .etcdCut(node: node)), (stop, .etcdRestore(node: node))]
                case 2:
                    faults += [(time, .etcdDown), (stop, .etcdUp)]
                case 3:
                    faults += [(time, .etcdSlow(rng.duration(.milliseconds(20), ttl / 2))), (stop, .etcdSlow(.zero))]
                default:
                    faults += [(time, .isolateAll), (stop, .heal)]
                }
            }
            time = time + rng.duration(.seconds(2), .seconds(10))
        }
        return faults
    }
}
