import FloatIPCore
import Testing

@testable import FloatIPSimulator

/// Hand-written scenarios in etcd mode: 3 nodes (n1 preferred, then n2, n3), one group, default
/// timers (20 ms × 15), a simulated etcd with TTL 3 s (renewals every 1 s, margin 600 ms). Every
/// run also keeps every invariant of both checkers (docs/simulator.md, "etcd mode").
@Suite struct SimulatorEtcdTests {
    static let settings = SimulatedEtcdSettings(ttl: .seconds(3), lessorPhase: .milliseconds(130))
    static let bound = settings.livenessBound(Timers())

    func at(_ seconds: Double) -> Instant { .zero + .milliseconds(Int64(seconds * 1000)) }

    func run(_ faults: [(at: Instant, fault: SimulationPlan.Fault)], duration: Duration, seed: UInt64 = 21)
        -> (result: SimulationResult, simulation: Simulation)
    {
        let plan = SimulationPlan(
            scenario: seed, timers: Timers(), priorities: [[200, 150, 100]], etcd: Self.settings, duration: duration,
            faults: faults)
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        return (result, simulation)
    }

    /// When `node`'s timeline says `text` (after `after`, before `before`).
    func times(
        _ result: SimulationResult, _ node: String?, _ text: String, after: Instant = .zero, before: Instant? = nil
    )
        -> [Instant]
    {
        result.timeline.filter {
            (node == nil || $0.node == node) && $0.text.contains(text) && $0.at > after
                && $0.at < (before ?? $0.at + .seconds(1))
        }.map(\.at)
    }

    /// When `node`'s addresses went first: removed by the agent or expired by their kernel lifetime.
    func gone(_ result: SimulationResult, _ node: String, after: Instant) -> Instant? {
        let removed = times(result, node, "addresses removed", after: after)
        return (removed + times(result, node, "addresses expired", after: after)).min()
    }

    @Test func aHealthyHolderKeepsItsKeyForLong() {
        let (result, simulation) = run([], duration: .seconds(60))
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(times(result, nil, "etcd key won").count == 1, "one tenure, renewed for 60 s (20 TTLs)")
        #expect(times(result, nil, "tenure lost").isEmpty)
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// kill -9 of the holder: its addresses vanish (kernel lifetime bounded by the lease) before its
    /// lease expires on the server; the standbys' claims meet the key until then; n2 then wins.
    @Test func aCrashedHoldersAddressVanishesBeforeItsKeyAndN2TakesOver() throws {
        let crash = at(5)
        let (result, simulation) = run([(crash, .crash(node: 0))], duration: .seconds(15))
        #expect(result.passed, "\(result.violation ?? "")")
        let vanished = try #require(times(result, "n1", "addresses expired", after: crash).first)
        let keyGone = try #require(times(result, nil, "lease expired, /floatip/sim/g1 deleted", after: crash).first)
        let taken = try #require(times(result, "n2", "addresses in place", after: crash).first)
        #expect(vanished < keyGone && keyGone <= taken)
        #expect(
            !times(result, "n2", "claim failed: etcd key /floatip/sim/g1 is held by n1", after: crash, before: keyGone)
                .isEmpty)
        let failover = taken - crash
        print(
            "etcd mode, holder crash: address gone after \((vanished - crash).shortDescription), key after "
                + "\((keyGone - crash).shortDescription), n2 holds after \(failover.shortDescription) "
                + "(bound \(Self.bound.shortDescription))"
        )
        #expect(failover > Self.settings.ttl - Self.settings.renewInterval && failover <= Self.bound)
        #expect(simulation.holders(of: "g1") == ["n2"])
    }

    /// The bound is tight and holds at any phase: in a pair (one standby, so its own claim-failure
    /// retry sets the pace; with two standbys their claims interleave), the holder killed at 40
    /// instants spread over a renewal interval and the lessor's tick, TTL 3 and 5 s; n2 holds within
    /// the bound every time. (With a claim-failure retry of 2 s instead of 1 s, (e5) fails here.)
    @Test(arguments: [3, 5])
    func crashFailoverStaysWithinTheBoundAtAnyPhase(ttl: Int64) {
        var settings = SimulatedEtcdSettings(ttl: .seconds(ttl))
        let bound = settings.livenessBound(Timers())
        var longest = Duration.zero
        for step in 0..<40 {
            settings.lessorPhase = .milliseconds(Int64(step * 37 % 500))
            let crash = at(5) + .milliseconds(Int64(step * 53))
            let plan = SimulationPlan(
                scenario: UInt64(100 + step), timers: Timers(), priorities: [[200, 100]], etcd: settings,
                duration: .seconds(20), faults: [(crash, .crash(node: 0))])
            var simulation = Simulation(plan: plan)
            let result = simulation.run()
            #expect(result.passed, "\(result.violation ?? "")")
            guard let taken = times(result, "n2", "addresses in place", after: crash).first else {
                Issue.record("step \(step): n2 never held")
                continue
            }
            longest = max(longest, taken - crash)
        }
        print("etcd mode, TTL \(ttl) s: longest failover after a crash \(longest.shortDescription) (bound \(bound.shortDescription))")
        #expect(longest <= bound)
        #expect(longest > settings.ttl, "some crash came right after a renewal: the lease set the pace")
    }

    /// The holder hears no peer, but etcd does: it keeps its key and its addresses; the others take
    /// it for dead and claim, and etcd refuses each of them.
    @Test func aHolderCutOffFromItsPeersButNotFromEtcdKeepsTheGroup() {
        let (cut, heal) = (at(5), at(15))
        let (result, simulation) = run([(cut, .partition(side: [0])), (heal, .heal)], duration: .seconds(20))
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(times(result, "n1", "addresses removed").isEmpty && times(result, "n1", "addresses expired").isEmpty)
        #expect(times(result, "n2", "addresses in place").isEmpty && times(result, "n3", "addresses in place").isEmpty)
        let refused = times(
            result, nil, "claim failed: etcd key /floatip/sim/g1 is held by n1", after: cut, before: heal)
        #expect(refused.count >= 5, "the others claim again after every retry: \(refused.count)")
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// The holder reaches its peers but not etcd: its renewals time out, its local deadline passes
    /// and it removes its addresses at least a margin before the lease can expire; its fault moves
    /// the group, and n2 wins the key once the lease is gone.
    @Test func aHolderCutOffFromEtcdReleasesBeforeItsLeaseExpires() throws {
        let (cut, restore) = (at(5), at(15))
        let (result, simulation) = run(
            [(cut, .etcdCut(node: 0)), (restore, .etcdRestore(node: 0))], duration: .seconds(20))
        #expect(result.passed, "\(result.violation ?? "")")
        let lost = try #require(
            result.timeline.first { $0.node == "n1" && $0.text.contains("tenure lost") && $0.at > cut })
        #expect(lost.text.contains("local deadline passed"), "\(lost)")
        // The address goes by its kernel lifetime (≤ 2 s after the last renewal at TTL 3 s) or, at the
        // latest, when the deadline passes.
        let removed = try #require(gone(result, "n1", after: cut))
        let keyGone = try #require(times(result, nil, "lease expired, /floatip/sim/g1 deleted", after: cut).first)
        let taken = try #require(times(result, "n2", "addresses in place", after: cut).first)
        #expect(removed <= lost.at && lost.at <= cut + Self.settings.ttl - Self.settings.margin)
        #expect(keyGone - lost.at >= Self.settings.margin, "the deadline passes a margin before the lease can expire")
        #expect(keyGone <= taken && taken < restore)
        print(
            "etcd mode, holder cut off from etcd: released after \((removed - cut).shortDescription), "
                + "\((keyGone - removed).shortDescription) before its key expired; "
                + "n2 holds after \((taken - cut).shortDescription)"
        )
        // Back in reach of etcd, n1 ranks first again: n2, the holder, hands the group back once it
        // has heard n1 healthy for preempt_delay (exclusive mode: the holder starts the failback),
        // and n1's campaign wins as soon as n2 has resigned.
        let handedBack = try #require(
            result.timeline.first { $0.node == "n2" && $0.text.contains("failback: released for n1") && $0.at > restore },
            "n2 never started the failback")
        let back = try #require(times(result, "n1", "addresses in place", after: restore).first)
        #expect(back > handedBack.at && back - handedBack.at < .milliseconds(100), "n1 holds right after n2 resigned")
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// No node hears any other: each takes the others for dead and claims. etcd lets the holder keep
    /// the group and refuses the rest: no split brain.
    @Test func aFullPartitionBetweenThePeersLeavesOneHolder() {
        let (cut, heal) = (at(5), at(15))
        let (result, simulation) = run([(cut, .isolateAll), (heal, .heal)], duration: .seconds(20))
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(times(result, "n2", "addresses in place").isEmpty && times(result, "n3", "addresses in place").isEmpty)
        #expect(!times(result, "n2", "claim failed", after: cut, before: heal).isEmpty)
        #expect(!times(result, "n3", "claim failed", after: cut, before: heal).isEmpty)
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// The holder dies and the two others cannot hear each other: both claim, both campaign, one wins.
    @Test func aCrashedHolderAndAFullPartitionStillMakeOneWinner() {
        let (cut, heal) = (at(5), at(20))
        let (result, simulation) = run(
            [(cut, .crash(node: 0)), (cut, .isolateAll), (heal, .heal)], duration: .seconds(25))
        #expect(result.passed, "\(result.violation ?? "")")
        let winners = Set(
            result.timeline.filter { $0.text.contains("addresses in place") && $0.at > cut }.compactMap(\.node))
        #expect(winners.count == 1, "\(winners)")
        #expect(!times(result, "n2", "claim failed", after: cut, before: heal).isEmpty)
        #expect(!times(result, "n3", "claim failed", after: cut, before: heal).isEmpty)
        #expect(simulation.holders(of: "g1").count == 1)
    }

    /// etcd answers nobody: the holder releases at its local deadline; nobody claims until etcd is
    /// back; then a node holds within the bound (counted from the leases' refresh).
    @Test func etcdDownForAllMeansNoHolderUntilItIsBack() throws {
        let (down, up) = (at(5), at(15))
        let (result, simulation) = run([(down, .etcdDown), (up, .etcdUp)], duration: .seconds(25))
        #expect(result.passed, "\(result.violation ?? "")")
        let removed = try #require(gone(result, "n1", after: down))
        #expect(removed <= down + Self.settings.ttl - Self.settings.margin)
        #expect(times(result, nil, "addresses in place", after: down, before: up).isEmpty)
        #expect(!times(result, nil, "claim failed: etcd unavailable", after: down, before: up).isEmpty)
        let back = try #require(times(result, nil, "addresses in place", after: up).first)
        #expect(back - up <= Self.settings.promoteExtension + Self.bound)
        print(
            "etcd mode, etcd down 10 s: holder released \((removed - down).shortDescription) after; "
                + "a holder again \((back - up).shortDescription) after etcd returned")
        #expect(simulation.holders(of: "g1").count == 1)
    }

    /// etcd slow but within the per-request limit (300 ms each way, limit 1 s): nothing changes.
    @Test func slowEtcdWithinTheLimitsKeepsTheHolder() {
        let (result, simulation) = run(
            [(at(5), .etcdSlow(.milliseconds(300))), (at(15), .etcdSlow(.zero))], duration: .seconds(20))
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(times(result, nil, "tenure lost").isEmpty)
        #expect(times(result, nil, "etcd key won").count == 1)
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// etcd slow but still within the per-request limit (400 ms each way: a round trip of 800 ms, the
    /// limit is 1 s): the poll after each keepalive gets only what is left of the renewal interval,
    /// so renewals stay 1 s apart and each answer comes well before the deadline. (Before the poll
    /// was bounded, a renewal cycle took two round trips and the holder lost its tenure at 7.7 s.)
    @Test func slowEtcdNearTheRequestLimitKeepsTheHolder() {
        let (result, simulation) = run(
            [(at(5), .etcdSlow(.milliseconds(400))), (at(15), .etcdSlow(.zero))], duration: .seconds(20))
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(times(result, nil, "tenure lost").isEmpty)
        #expect(result.stats.unheld < .milliseconds(100), "unheld for \(result.stats.unheld.shortDescription)")
        #expect(simulation.holders(of: "g1").count == 1)
    }

    /// etcd slower than the limits (700 ms each way): every renewal times out although etcd applies
    /// it; the holder releases at its deadline; every campaign times out too, so nobody holds until
    /// etcd is fast again — and never two.
    @Test func etcdSlowerThanTheLimitsReleasesWithoutASecondHolder() throws {
        let (slow, fast) = (at(5), at(15))
        let (result, simulation) = run(
            [(slow, .etcdSlow(.milliseconds(700))), (fast, .etcdSlow(.zero))], duration: .seconds(25))
        #expect(result.passed, "\(result.violation ?? "")")
        let removed = try #require(gone(result, "n1", after: slow))
        #expect(removed < fast)
        #expect(times(result, nil, "addresses in place", after: removed, before: fast).isEmpty)
        let back = try #require(times(result, nil, "addresses in place", after: fast).first)
        #expect(back - fast <= Self.bound)
        #expect(simulation.holders(of: "g1").count == 1)
    }

    /// The checker has teeth: two servers with the addresses, or addresses without the key, are violations.
    @Test func theEtcdCheckerFlagsTwoHoldersAndAddressesWithoutTheKey() {
        let plan = SimulationPlan(
            scenario: 1, timers: Timers(), priorities: [[200, 100]], etcd: Self.settings, duration: .seconds(1),
            faults: [])
        var nodes = plan.configs.enumerated().map { SimNode(index: $0.offset, config: $0.element) }
        var server = SimulatedEtcd(promoteExtension: .seconds(1))
        var checker = EtcdInvariantChecker(groups: 1, bound: Self.bound)
        nodes[1].holds[0] = true
        nodes[1].addresses[0].epoch = 2
        let orphan = checker.check(
            nodes: nodes, server: server, quiet: false, lastDisturbance: .zero, listen: .zero, now: at(1))
        #expect(orphan?.hasPrefix("(e3) n2") == true, "\(orphan ?? "nil")")
        guard case .granted(let lease, _) = server.apply(.grant(ttl: .seconds(3)), at: at(1)).answer else {
            Issue.record("no lease")
            return
        }
        _ = server.apply(.createIfAbsent(key: SimEtcdWorld.key(0), value: "n2", lease: lease), at: at(1))
        #expect(
            checker.check(nodes: nodes, server: server, quiet: false, lastDisturbance: .zero, listen: .zero, now: at(2))
                == nil)
        #expect(
            checker.check(
                nodes: nodes, server: server, quiet: false, lastDisturbance: .zero, listen: .zero, now: at(4.5))?
                .contains("lease has expired") == true)
        nodes[0].holds[0] = true
        let two = checker.check(
            nodes: nodes, server: server, quiet: false, lastDisturbance: .zero, listen: .zero, now: at(2))
        #expect(two == "(e1) g1 is on n1 and n2 at once")
    }
}
