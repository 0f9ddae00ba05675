import FloatIPLab
import Foundation

/// Samples which nodes hold the floating address, and keeps every sample: in the test's own loop
/// (`until`, every 5 ms) or on a thread of its own (`recording`, every 10 ms, until `stop`).
final class HolderWatch: @unchecked Sendable {
    struct Sample {
        var at: ContinuousClock.Instant
        var holders: [Int]
    }

    /// Who holds now: `ip addr` in each namespace, or what an `AddressMonitor` recorded.
    let source: () throws -> [Int]
    private let lock = NSLock()
    private var recorded: [Sample] = []
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    init(holders: @escaping () throws -> [Int]) { source = holders }

    convenience init(_ lab: AgentLab) { self.init(holders: { try lab.holders() }) }

    /// Samples a `floatip lab` lab's confirmed holders on a thread of its own (for at most 30 s)
    /// until `stop()`.
    static func recording(_ lab: Lab) -> HolderWatch {
        let box = UncheckedBox(lab)
        let watch = HolderWatch(holders: { try box.value.confirmedHolders() })
        Thread.detachNewThread { [watch] in
            let end = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < end, !watch.lock.withLock({ watch.stopping }) {
                if let holders = try? watch.source() { watch.record(holders) }
                Thread.sleep(forTimeInterval: 0.01)
            }
            watch.done.signal()
        }
        return watch
    }

    /// Ends a `recording` watch; every sample it took.
    func stop() -> [Sample] {
        lock.withLock { stopping = true }
        done.wait()
        return lock.withLock { recorded }
    }

    /// Samples every 5 ms until `done(holders)` (how long that took) or `limit` (nil).
    func until(_ limit: Duration, _ done: ([Int]) -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            let holders = try source()
            record(holders)
            if done(holders) { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    var samples: Int { lock.withLock { recorded.count } }
    var doubleHeld: Int { lock.withLock { recorded.filter { $0.holders.count > 1 }.count } }

    /// When each node was last seen holding.
    var lastHeld: [Int: ContinuousClock.Instant] {
        lock.withLock {
            var last: [Int: ContinuousClock.Instant] = [:]
            for sample in recorded { for node in sample.holders { last[node] = sample.at } }
            return last
        }
    }

    private func record(_ holders: [Int]) {
        let sample = Sample(at: .now, holders: holders)
        lock.withLock { recorded.append(sample) }
    }
}
