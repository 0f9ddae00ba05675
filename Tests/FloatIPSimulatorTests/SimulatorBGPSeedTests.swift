import FloatIPCore
import FloatIPTestSupport
import Testing

@testable import FloatIPSimulator

/// The `bgp` mover on random seeds: the plain seed's cluster and faults, each group announced to one
/// simulated router whose table is the truth (docs/simulator.md, "The bgp mover").
@Suite struct SimulatorBGPSeedTests {
    static let chunks = 4
    static let seedsPerChunk = 100

    @Test("400 bgp seeds across 2–5 nodes keep every invariant", arguments: 0..<chunks)
    func seedsKeepInvariants(chunk: Int) async throws {
        let first = UInt64(chunk * Self.seedsPerChunk + 1)
        let outcome = try await onComputeQueue { Self.run(seeds: first...(first + UInt64(Self.seedsPerChunk) - 1)) }
        if let failure = outcome.failure { Issue.record(Comment(rawValue: failure)) }
        #expect(outcome.nodeCounts == [2, 3, 4, 5])
        #expect(outcome.detections.count == 3, "BFD, 3 s and 9 s hold times are all drawn")
    }

    static func run(seeds: ClosedRange<UInt64>, defect: SimulatedBGPSettings.Defect? = nil)
        -> (failure: String?, nodeCounts: Set<Int>, detections: Set<Int64>)
    {
        var nodeCounts: Set<Int> = []
        var detections: Set<Int64> = []
        for seed in seeds {
            var plan = SimulationPlan(seed: seed, duration: .seconds(10)).withBGP()
            plan.bgp?.defect = defect
            nodeCounts.insert(plan.nodeNames.count)
            detections.insert(plan.bgp?.detection.nanoseconds ?? 0)
            var simulation = Simulation(plan: plan)
            let result = simulation.run()
            if let violation = result.violation {
                let story = result.timeline.suffix(60).map(\.description).joined(separator: "\n")
                return (
                    "seed \(seed): \(violation)\nreplay: floatip simulate --mover bgp --seed \(seed) --duration 10s\n\(story)",
                    nodeCounts, detections
                )
            }
        }
        return (nil, nodeCounts, detections)
    }

    /// The invariants have teeth on random seeds: a router that keeps a silent peer's routes a second
    /// past its detection time, or a speaker that re-announces what it released while its session
    /// was down, is caught.
    @Test(arguments: [SimulatedBGPSettings.Defect.lateDetection(by: .seconds(1)), .reannouncesReleased])
    func aBrokenRouterOrSpeakerIsCaught(defect: SimulatedBGPSettings.Defect) async throws {
        let outcome = try await onComputeQueue { Self.run(seeds: 1...300, defect: defect) }
        let failure = try #require(outcome.failure, "\(defect) not caught in seeds 1–300")
        #expect(failure.contains("(a)"), "\(failure)")
    }

    @Test func aBGPSeedReplaysExactly() {
        let runs = (0..<2).map { _ in
            var simulation = Simulation(plan: SimulationPlan(seed: 4242, duration: .seconds(10)).withBGP())
            return simulation.run().timeline.map(\.description)
        }
        #expect(runs[0].contains { $0.contains("router: g1 via") })
        #expect(runs[0] == runs[1])
    }

    /// The router is drawn from a stream of its own: the plain seed's cluster and faults stay as they were.
    @Test func aBGPSeedKeepsThePlainSeedsFaults() {
        let plain = SimulationPlan(seed: 77)
        let bgp = plain.withBGP()
        #expect(bgp.faults.map(\.fault.description) == plain.faults.map(\.fault.description))
        #expect(bgp.faults.map(\.at) == plain.faults.map(\.at))
        let delay = try? #require(bgp.bgp?.routerDelay)
        #expect(delay.map { $0 >= .milliseconds(1) && $0 <= .milliseconds(20) } == true)
    }
}
