import FloatIPCore
import FloatIPTestSupport
import Testing

@testable import FloatIPSimulator

/// The simulator's main job: thousands of random clusters with random faults, every invariant
/// checked after every event. Split in chunks so Swift Testing runs them in parallel.
@Suite struct SimulatorSeedTests {
    static let chunks = 8
    static let seedsPerChunk = 250

    @Test("2,000 seeds across 2–5 nodes keep every invariant", arguments: 0..<chunks)
    func seedsKeepInvariants(chunk: Int) async throws {
        // A minute of computation in all: one chunk at a time on the compute queue, off the pool.
        let outcome = try await onComputeQueue { Self.runChunk(chunk) }
        if let failure = outcome.failure { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.nodeCounts == [2, 3, 4, 5])
    }

    static func runChunk(_ chunk: Int) -> (failure: String?, nodeCounts: Set<Int>) {
        var nodeCounts: Set<Int> = []
        for offset in 0..<seedsPerChunk {
            let seed = UInt64(chunk * seedsPerChunk + offset + 1)
            let plan = SimulationPlan(seed: seed, duration: .seconds(10))
            nodeCounts.insert(plan.nodeNames.count)
            var simulation = Simulation(plan: plan)
            let result = simulation.run()
            if let violation = result.violation {
                let story = result.timeline.suffix(60).map(\.description).joined(separator: "\n")
                return ("seed \(seed): \(violation)\nreplay: floatip simulate --seed \(seed) --duration 10s\n\(story)", nodeCounts)
            }
        }
        return (nil, nodeCounts)
    }

    @Test func aSeedReplaysExactly() {
        let runs = (0..<2).map { _ in
            var simulation = Simulation(plan: SimulationPlan(seed: 4242, duration: .seconds(10)))
            return simulation.run().timeline.map(\.description)
        }
        #expect(runs[0].count > 10)
        #expect(runs[0] == runs[1])
    }

    @Test func differentSeedsDrawDifferentRuns() {
        let plans = [SimulationPlan(seed: 1), SimulationPlan(seed: 2)]
        #expect(plans[0].faults.map(\.at) != plans[1].faults.map(\.at))
    }
}
