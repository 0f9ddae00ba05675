import FloatIPCore
import Testing

@testable import FloatIPSimulator

/// Rule 8 on the simulator: a stalled agent (SIGSTOP) whose inputs wait until it resumes, while its
/// addresses stay in place. Default timers (100 ms × 3), preempt_delay 2 s.
@Suite struct SimulatorStallTests {
    func at(_ seconds: Double) -> Instant { .zero + .milliseconds(Int64(seconds * 1000)) }
    let timers = Timers(preemptDelay: .seconds(2))

    func run(_ faults: [(at: Instant, fault: SimulationPlan.Fault)]) -> (Simulation, SimulationResult) {
        let plan = SimulationPlan(
            scenario: 19, timers: timers, priorities: [[200, 100]], duration: .seconds(10), faults: faults)
        var simulation = Simulation(plan: plan)
        let result = simulation.run()
        return (simulation, result)
    }

    /// The issue's experiment: the holder frozen for 2 s. n2 takes over; on resume n1 yields to it
    /// and takes the group back only after preempt_delay, make-before-break.
    @Test func aFrozenHolderYieldsOnResumeAndFailsBackAfterPreemptDelay() throws {
        let (simulation, result) = run([(at(2), .stall(node: 0)), (at(4), .resume(node: 0))])
        #expect(result.passed, "\(result.violation ?? "")")
        let lines = result.timeline.map(\.description)
        let removed = try #require(result.timeline.first { $0.at >= at(4) && $0.node == "n1" && $0.text.contains("addresses removed") })
        #expect(removed.at == at(4), "n1 releases at its resume: \(lines.joined(separator: "\n"))")
        let back = try #require(result.timeline.first { $0.at > at(4) && $0.node == "n1" && $0.text.contains("addresses in place") })
        #expect(back.at >= at(4) + timers.preemptDelay && back.at < at(4) + timers.preemptDelay + .milliseconds(50))
        // n2 held from its takeover until after n1's failback claim completed.
        let n2Removed = try #require(result.timeline.first { $0.at > at(2) && $0.node == "n2" && $0.text.contains("addresses removed") })
        #expect(n2Removed.at >= back.at)
        #expect(simulation.holders(of: "g1") == ["n1"])
    }

    /// A stall shorter than the dead interval changes nothing: nobody claims, nobody releases.
    @Test func aShortStallCostsNothing() {
        let (_, result) = run([(at(2), .stall(node: 0)), (at(2.2), .resume(node: 0))])
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(result.stats.claims == 1)
        #expect(!result.timeline.contains { $0.text.contains("addresses removed") })
    }

    /// A stalled standby whose holder died meanwhile takes over one dead interval after it resumes.
    @Test func aStalledStandbyTakesOverAfterListening() throws {
        let (simulation, result) = run([(at(2), .stall(node: 1)), (at(2.5), .crash(node: 0)), (at(4), .resume(node: 1))])
        #expect(result.passed, "\(result.violation ?? "")")
        let taken = try #require(result.timeline.first { $0.at > at(4) && $0.node == "n2" && $0.text.contains("addresses in place") })
        #expect(taken.at >= at(4) + timers.deadInterval && taken.at < at(4) + timers.deadInterval + .milliseconds(50))
        #expect(simulation.holders(of: "g1") == ["n2"])
    }
}
