import FloatIPCore
import FloatIPTestSupport
import Testing

@testable import FloatIPSimulator

/// VRRP mode: random virtual routers of floatip's `VRRPRouterMachine`, the keepalived model, or both,
/// with random faults, every invariant checked after every event.
@Suite struct SimulatorVRRPSeedTests {
    static let seeds: UInt64 = 300

    @Test("300 seeds of each kind of virtual router keep every invariant", arguments: VRRPClusterKind.allCases)
    func seedsKeepInvariants(cluster: VRRPClusterKind) async throws {
        let outcome = try await onComputeQueue { Self.run(cluster, seeds: 1...Self.seeds) }
        if let failure = outcome.failure {
            Issue.record(Comment(rawValue: failure))
            return
        }
        #expect(outcome.nodeCounts == [2, 3, 4, 5])
        if cluster == .mixed { #expect(outcome.kinds == Set(VRRPNodeKind.allCases)) }
    }

    static func run(_ cluster: VRRPClusterKind, seeds: ClosedRange<UInt64>, defect: KeepalivedModel.Defect? = nil)
        -> (failure: String?, nodeCounts: Set<Int>, kinds: Set<VRRPNodeKind>)
    {
        var nodeCounts: Set<Int> = []
        var kinds: Set<VRRPNodeKind> = []
        for seed in seeds {
            var plan = VRRPSimulationPlan(seed: seed, cluster: cluster, duration: .seconds(20))
            plan.keepalivedDefect = defect
            nodeCounts.insert(plan.nodeNames.count)
            kinds.formUnion(plan.kinds)
            var simulation = VRRPSimulation(plan: plan)
            let result = simulation.run()
            if let violation = result.violation {
                let story = result.timeline.suffix(60).map(\.description).joined(separator: "\n")
                return (
                    "seed \(seed): \(violation)\nreplay: floatip simulate --protocol \(cluster.rawValue) --seed \(seed)\n\(story)",
                    nodeCounts, kinds
                )
            }
        }
        return (nil, nodeCounts, kinds)
    }

    /// The invariants have teeth: the keepalived model with one rule broken fails them, in mixed
    /// clusters (where floatip's routers meet it) and alone.
    @Test(arguments: [
        (KeepalivedModel.Defect.ignoresPriorityZero, "(b)"), (.reversedTieBreak, "(d)"), (.slowTakeover, "(b)"),
    ])
    func aBrokenRouterIsCaught(defect: KeepalivedModel.Defect, invariant: String) async throws {
        for cluster in [VRRPClusterKind.mixed, .keepalived] {
            let outcome = try await onComputeQueue { Self.run(cluster, seeds: 1...Self.seeds, defect: defect) }
            let failure = try #require(outcome.failure, "\(defect) in \(cluster) went unnoticed")
            #expect(failure.contains(invariant), "\(failure.prefix(300))")
        }
    }

    @Test func aSeedReplaysExactly() {
        let runs = (0..<2).map { _ in
            var simulation = VRRPSimulation(plan: VRRPSimulationPlan(seed: 77, cluster: .mixed, duration: .seconds(10)))
            return simulation.run().timeline.map(\.description)
        }
        #expect(runs[0].count > 10)
        #expect(runs[0] == runs[1])
    }
}
