import FloatIPCore
import FloatIPTestSupport
import Testing

@testable import FloatIPSimulator

/// etcd mode on random clusters: 500 seeds of 2–4 nodes, 15 simulated seconds each, with the
/// peer faults of the plain suite plus etcd's own (nodes cut off from etcd, etcd down or slow,
/// every node cut off from every other); every invariant of both checkers after every event.
@Suite struct SimulatorEtcdSeedTests {
    static let chunks = 4
    static let seedsPerChunk = 125
    static let duration = Duration.seconds(15)

    @Test("500 seeds in etcd mode keep every invariant", arguments: 0..<chunks)
    func etcdSeedsKeepInvariants(chunk: Int) async throws {
        let outcome = try await onComputeQueue { Self.runChunk(chunk) }
        if let failure = outcome.failure { Issue.record(Comment(rawValue: failure)) }
        // The suite must really exercise the etcd paths: tenures lost and claims refused by the key.
        #expect(outcome.lost > 0 && outcome.refused > 0, "lost \(outcome.lost), refused \(outcome.refused)")
    }

    static func runChunk(_ chunk: Int) -> (failure: String?, lost: Int, refused: Int) {
        var lost = 0
        var refused = 0
        for offset in 0..<seedsPerChunk {
            let seed = UInt64(chunk * seedsPerChunk + offset + 1)
            var simulation = Simulation(plan: SimulationPlan(etcdSeed: seed, duration: duration))
            let result = simulation.run()
            lost += result.timeline.filter { $0.text.contains("etcd tenure lost") }.count
            refused += result.timeline.filter { $0.text.contains("claim failed: etcd key") }.count
            if let violation = result.violation {
                let story = result.timeline.suffix(80).map(\.description).joined(separator: "\n")
                let summary = SimulationPlan(etcdSeed: seed, duration: duration).summary.joined(separator: "\n")
                return (
                    "seed \(seed) (etcd): \(violation)\n\(summary)\n\(story)",
                    lost, refused
                )
            }
        }
        return (nil, lost, refused)
    }

    @Test func anEtcdSeedReplaysExactly() {
        let runs = (0..<2).map { _ in
            var simulation = Simulation(plan: SimulationPlan(etcdSeed: 77, duration: .seconds(20)))
            return simulation.run().timeline.map(\.description)
        }
        #expect(runs[0].contains { $0.contains("etcd key won") })
        #expect(runs[0] == runs[1])
    }
}
