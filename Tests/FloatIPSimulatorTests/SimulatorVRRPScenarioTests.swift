import FloatIPCore
import Testing

@testable import FloatIPSimulator

/// Hand-written VRRP scenarios, floatip's router beside the keepalived model, measured in simulated time.
@Suite struct SimulatorVRRPScenarioTests {
    func at(_ seconds: Double) -> Instant { .zero + .milliseconds(Int64(seconds * 1000)) }

    /// When `node` got the address (the mover finished), after `after`.
    func claimTime(_ result: SimulationResult, node: String, after: Instant) -> Instant? {
        result.timeline.first { $0.at > after && $0.node == node && $0.kind == .mover && $0.text == "address in place" }?.at
    }

    func run(_ plan: VRRPSimulationPlan) -> (VRRPSimulation, SimulationResult) {
        var simulation = VRRPSimulation(plan: plan)
        let result = simulation.run()
        return (simulation, result)
    }

    /// n1 at priority 200 and n2 at 100, 100 ms, floatip on one and keepalived on the other: the
    /// backup takes over within its master-down interval after a crash (361 ms after the master's last
    /// advertisement), within its skew time after a clean stop (61 ms), and n1 preempts when it comes
    /// back (its master-down interval, 322 ms). Claims take 1–2 ms.
    @Test(arguments: [[VRRPNodeKind.floatip, .keepalived], [.keepalived, .floatip]], [VRRPFault.crash(node: 0), .stop(node: 0)])
    func theBackupTakesOverAndTheMasterPreempts(kinds: [VRRPNodeKind], fault: VRRPFault) throws {
        let plan = VRRPSimulationPlan(
            scenario: 1, kinds: kinds, priorities: [200, 100], duration: .seconds(10),
            faults: [(at(3), fault), (at(6), .restart(node: 0))])
        let (simulation, result) = run(plan)
        #expect(result.passed, "\(result.violation ?? "")")
        let outage = try #require(claimTime(result, node: "n2", after: at(3))) - at(3)
        if case .crash = fault {
            #expect(outage > .milliseconds(260) && outage < .milliseconds(366), "\(outage.shortDescription)")
        } else {
            #expect(outage > .milliseconds(61) && outage < .milliseconds(64), "\(outage.shortDescription)")
        }
        let back = try #require(claimTime(result, node: "n1", after: at(6))) - at(6)
        print("measured: \(kinds[1]) holds \(outage.shortDescription) after \(fault); \(kinds[0]) preempts \(back.shortDescription) after its restart")
        #expect(back > .milliseconds(322) && back < .milliseconds(325), "\(back.shortDescription)")
        #expect(simulation.holders == ["n1"])
    }

    /// Equal priorities, a partition makes both master; after the heal the higher address keeps it,
    /// whichever of floatip and keepalived has it.
    @Test(arguments: [[VRRPNodeKind.floatip, .keepalived], [.keepalived, .floatip]])
    func equalPrioritiesFallToTheHigherAddress(kinds: [VRRPNodeKind]) {
        let plan = VRRPSimulationPlan(
            scenario: 2, kinds: kinds, priorities: [100, 100], hosts: [9, 3], duration: .seconds(6),
            faults: [(at(2), .partition(side: [0])), (at(4), .heal)])
        let (simulation, result) = run(plan)
        #expect(result.passed, "\(result.violation ?? "")")
        let masters = Set(result.timeline.filter { $0.kind == .mover && $0.text == "address in place" }.compactMap(\.node))
        #expect(masters == ["n1", "n2"], "both held during the partition")
        #expect(simulation.holders == ["n1"])
    }

    /// Without preemption a better router that comes back stays backup; a priority drop does not move
    /// the address either.
    @Test func nopreemptKeepsTheMaster() {
        let plan = VRRPSimulationPlan(
            scenario: 3, kinds: [.keepalived, .floatip], priorities: [200, 100], preempt: false, duration: .seconds(8),
            faults: [(at(2), .crash(node: 0)), (at(4), .restart(node: 0)), (at(5), .priorityDrop(node: 1, by: 90))])
        let (simulation, result) = run(plan)
        #expect(result.passed, "\(result.violation ?? "")")
        #expect(simulation.holders == ["n2"])
    }

    /// keepalived's `state MASTER` takes over one interval (and 1/256) after it starts; `state BACKUP`
    /// waits a master-down interval.
    @Test(arguments: [true, false])
    func keepalivedStateMasterStartsSooner(configuredMaster: Bool) throws {
        let plan = VRRPSimulationPlan(
            scenario: 4, kinds: [.keepalived, .floatip], priorities: [200, 100], configuredMaster: [configuredMaster, false],
            duration: .seconds(2), faults: [])
        let (_, result) = run(plan)
        #expect(result.passed, "\(result.violation ?? "")")
        let taken: Duration = try #require(claimTime(result, node: "n1", after: Instant.zero)) - Instant.zero
        let expected: Duration = configuredMaster ? .microseconds(100_390) : .microseconds(300_000 + 21_875)
        print("measured: keepalived (state \(configuredMaster ? "MASTER" : "BACKUP")) holds \(taken.shortDescription) after it starts")
        #expect(taken >= expected && taken < expected + .milliseconds(3), "\(taken.shortDescription)")
    }
}
