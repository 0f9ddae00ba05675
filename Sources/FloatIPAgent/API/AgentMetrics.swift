import FloatIPCore
import Synchronization

/// What `/metrics` needs beyond the status snapshot: how long mover operations and checks take,
/// and how checks turned out. Fed with the agent's events and the check runner's results.
public final class AgentMetrics: Sendable {
    /// Upper bounds (seconds) of the duration histograms' buckets.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// A cumulative histogram, as Prometheus exposes it.
    public struct Histogram: Sendable, Equatable {
        /// Observations at or below each of `AgentMetrics.buckets`.
        public var cumulative = [Int](repeating: 0, count: AgentMetrics.buckets.count)
        public var count = 0
        public var sum = 0.0

        mutating func observe(_ seconds: Double) {
            for (index, bound) in AgentMetrics.buckets.enumerated() where seconds <= bound { cumulative[index] += 1 }
            count += 1
            sum += seconds
        }
    }

    /// A mover operation (`claim`, `release`, `announce`) of one group.
    public struct Operation: Sendable, Hashable, Comparable {
        public var group: String
        public var operation: String

        public static func < (a: Operation, b: Operation) -> Bool { (a.group, a.operation) < (b.group, b.operation) }
    }

    /// Everything measured so far.
    public struct Snapshot: Sendable, Equatable {
        public var moverDurations: [Operation: Histogram] = [:]
        public var moverFailures: [Operation: Int] = [:]
        /// Check results by check and outcome (`passed`, `failed`).
        public var checkResults: [String: [String: Int]] = [:]
        public var checkDurations: [String: Histogram] = [:]
    }

    private let state = Mutex(Snapshot())

    public init() {}

    /// Counts a finished mover operation (transitions are counted by the agent itself).
    public func observe(_ event: AgentEvent) {
        guard case .mover(let group, let operation, _, let took, let error) = event else { return }
        let key = Operation(group: group, operation: operation)
        state.withLock { snapshot in
            snapshot.moverDurations[key, default: Histogram()].observe(took.seconds)
            if error != nil { snapshot.moverFailures[key, default: 0] += 1 }
        }
    }

    /// Counts one check result.
    public func observeCheck(name: String, passed: Bool, duration: Duration) {
        state.withLock { snapshot in
            snapshot.checkResults[name, default: [:]][passed ? "passed" : "failed", default: 0] += 1
            snapshot.checkDurations[name, default: Histogram()].observe(duration.seconds)
        }
    }

    /// A copy of the measurements.
    public func snapshot() -> Snapshot { state.withLock { $0 } }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
