import FloatIPCore
import FloatIPTestSupport
import Testing

@testable import FloatIPSimulator

/// Hand-written scenarios on the simulator: the timer defaults and the rules, measured in
/// simulated time (deterministic, so these are logic checks, not timing tests).
@Suite struct SimulatorScenarioTests {
    func at(_ seconds: Double) -> Instant { .zero + .milliseconds(Int64(seconds * 1000)) }

    /// When `node` got the group's addresses (the mover finished), after `after`.
    func claimTime(_ result: SimulationResult, node: String, after: Instant) -> Instant? {
        result.timeline.first { $0.at > after && $0.node == node && $0.kind == .mover && $0.text.contains("addresses in place") }?.at
    }

    @Test func defaultTimersFailOverWithin400ms() throws {
        let crash = at(5)
        let plan = SimulationPlan(
            scenario: 1, timers: Timers(), priorities: [[200, 100]], duration: .seconds(8),
            faults: [(crash, .crash(node: 0))])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        let taken = try #require(claimTime(result, node: "n2", after: crash))
        let outage = taken - crash
        #expect(outage >= Timers().deadInterval - Timers().interval)
        print("measured failover at default timers: \(outage.shortDescription)")
        #expect(outage < .milliseconds(400), "failover took \(outage.shortDescription)")
        #expect(simulation.holders(of: "g1") == ["n2"])
    }

    @Test func noFalseFailoverUnder20PercentLossForAnHour() async throws {
        let plan = SimulationPlan(
            scenario: 2, timers: Timers(), priorities: [[200, 100]], loss: 0.2, duration: .seconds(3600), faults: [])
        let result = try await onComputeQueue {
            var simulation = Simulation(plan: plan)
            return simulation.run()
        }
        #expect(result.passed)
        #expect(result.stats.lost > 30_000, "the network must really lose datagrams")
        // The standby is quiet (every 50 intervals): a pair at full rate would send 360,000.
        #expect(result.stats.sent < 200_000, "sent \(result.stats.sent)")
        let roleChanges = result.timeline.filter { $0.kind == .role }
        // One start-up transition per node, nothing after.
        #expect(roleChanges.count == 2, "\(roleChanges.map(\.description))")
        #expect(result.stats.claims == 1)
    }

    /// The one case quiet standbys make slower (docs/decision.md): the holder and the best-ranked
    /// standby fail together, and the next standby waits for the quiet one's bound (a dead interval
    /// and two quiet periods: 2.3 s at 100 ms × 3) instead of a dead interval.
    @Test(arguments: [true, false]) func holderAndBestStandbyFailingTogether(quiet: Bool) throws {
        let timers = Timers(interval: .milliseconds(100), deadAfter: 3, preemptDelay: .seconds(1), quietStandby: quiet)
        let crash = at(5)
        let plan = SimulationPlan(
            scenario: 6, timers: timers, priorities: [[200, 150, 100]], duration: .seconds(10),
            faults: [(crash, .crash(node: 0)), (crash, .crash(node: 1))])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        let taken = try #require(claimTime(result, node: "n3", after: crash))
        let outage = taken - crash
        print("holder and best standby fail together, quiet standbys \(quiet ? "on" : "off"): \(outage.shortDescription)")
        if quiet {
            #expect(outage > timers.deadInterval + timers.interval)
            #expect(outage <= timers.deadInterval + timers.quietPeriod * 2 + timers.interval)
        } else {
            #expect(outage <= timers.deadInterval + timers.interval)
        }
    }

    @Test func failbackAfterPreemptDelayWithoutAGap() throws {
        let timers = Timers(preemptDelay: .seconds(2))
        let plan = SimulationPlan(
            scenario: 3, timers: timers, priorities: [[200, 100]], duration: .seconds(10),
            faults: [(at(2), .crash(node: 0)), (at(3), .restart(node: 0))])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        let back = try #require(claimTime(result, node: "n1", after: at(3)))
        let earliest = at(3) + timers.startupListen + timers.preemptDelay
        #expect(back >= earliest && back < earliest + .milliseconds(50))
        #expect(simulation.holders(of: "g1") == ["n1"])
        // The only gap is the crash's; the failback itself is make-before-break.
        #expect(result.stats.unheld < timers.deadInterval + .milliseconds(10))
    }

    @Test func preemptOffKeepsTheStandbyAsHolder() {
        let plan = SimulationPlan(
            scenario: 4, timers: Timers(preemptDelay: .seconds(1)), priorities: [[200, 100]], preempt: false,
            duration: .seconds(10), faults: [(at(2), .crash(node: 0)), (at(3), .restart(node: 0))])
        var simulation = Simulation(plan: plan)
        #expect(simulation.run().passed)
        #expect(simulation.holders(of: "g1") == ["n2"])
    }

    @Test(arguments: [
        SimulationPlan.Fault.maintenance(node: 0, on: true), .switchover(group: 0, target: nil),
        .switchover(group: 0, target: 2),
    ])
    func plannedMovesLeaveNoGap(_ move: SimulationPlan.Fault) {
        let plan = SimulationPlan(
            scenario: 5, timers: Timers(), priorities: [[200, 100, 50]], loss: 0.05, duration: .seconds(6),
            faults: [(at(3), move)])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(result.stats.unheld == .zero)
        #expect(simulation.holders(of: "g1") != ["n1"])
        #expect(simulation.holders(of: "g1").count == 1)
    }

    @Test func healedPartitionEndsWithOneHolder() {
        let plan = SimulationPlan(
            scenario: 6, timers: Timers(), priorities: [[200, 150, 100]], duration: .seconds(6),
            faults: [(at(2), .partition(side: [0])), (at(4), .heal)])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        // During the partition both sides held; after the heal only the best-ranked does.
        #expect(result.timeline.contains { $0.node == "n2" && $0.text.contains("addresses in place") })
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// A check that alternates pass and fail every interval, with rise = fall = 3, never moves the
    /// group: the hysteresis never sees three results in a row that disagree with its state.
    @Test func flappingCheckNeverChangesTheRole() {
        let plan = SimulationPlan(
            scenario: 7, timers: Timers(), priorities: [[200, 100]], checkRise: 3, checkFall: 3,
            duration: .seconds(20),
            faults: [(at(2), .checkResults(node: 0, group: 0, pattern: [true, false], every: .milliseconds(100)))])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        let roleChanges = result.timeline.filter { $0.kind == .role }
        #expect(roleChanges.count == 2, "only each node's start-up: \(roleChanges.map(\.description))")
        #expect(!result.timeline.contains { $0.text.contains("check passing → failing") })
        #expect(result.stats.claims == 1)
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// Flapping, then a sustained failure (from 5.05 s, between two results of the flapping phase):
    /// the third failure in a row (fall = 3) turns the check failing and the holder steps aside at
    /// that very result; the standby takes over.
    @Test func sustainedCheckFailureChangesTheRoleAtTheFallCount() throws {
        let failing = Instant.zero + .milliseconds(5_050)
        let every = Duration.milliseconds(100)
        let plan = SimulationPlan(
            scenario: 8, timers: Timers(), priorities: [[200, 100]], checkRise: 3, checkFall: 3,
            duration: .seconds(8),
            faults: [
                (at(2), .checkResults(node: 0, group: 0, pattern: [true, false], every: every)),
                (failing, .checkResults(node: 0, group: 0, pattern: [false], every: every)),
            ])
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        #expect(result.passed, "\(result.violation ?? "")")
        let flip = try #require(result.timeline.first { $0.text.contains("check passing → failing") })
        #expect(flip.at == failing + every * 2, "failures at 5.05, 5.15 and 5.25 s: the third flips")
        let fault = try #require(result.timeline.first { $0.kind == .role && $0.node == "n1" && $0.at > at(3) })
        #expect(fault.at == flip.at, "\(fault.description)")
        #expect(fault.text.contains("fault"), "\(fault.description)")
        #expect(try #require(claimTime(result, node: "n2", after: flip.at)) - flip.at < .milliseconds(100))
        #expect(simulation.holders(of: "g1") == ["n2"])
    }
}
