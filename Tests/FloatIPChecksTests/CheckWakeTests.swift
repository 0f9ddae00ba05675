import FloatIPCore
import Foundation
import Synchronization
import Testing

@testable import FloatIPChecks

/// A probe that learns of changes itself: the test sets its answer and says so (`change`).
final class NotifyingProbe: CheckProbe {
    let check: CheckConfig
    private let state = Mutex<(passing: Bool, runs: Int, wake: (@Sendable () -> Void)?)>((true, 0, nil))

    init(interval: Duration) {
        check = CheckConfig(name: "link", kind: .interface, target: "v0", interval: interval,
                            timeout: .milliseconds(50), rise: 1, fall: 1)
    }

    var runs: Int { state.withLock { $0.runs } }

    func notifyChanges(_ wake: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { $0.wake = wake }
        return true
    }

    func change(passing: Bool) {
        let wake = state.withLock { state in
            state.passing = passing
            return state.wake
        }
        wake?()
    }

    func run() async -> CheckResult {
        let passing = state.withLock { state in
            state.runs += 1
            return state.passing
        }
        return CheckResult(passed: passing, detail: passing ? "up" : "down", duration: .zero)
    }
}

@Suite(.serialized) struct CheckWakeTests {
    /// A 1-hour interval: only the first run is scheduled, every other one is a change's.
    @Test func aChangeRunsTheCheckAtOnce() async throws {
        let probe = NotifyingProbe(interval: .seconds(3600))
        let scheduler = CheckScheduler(probes: [probe])
        let log = EventLog(scheduler.events)
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        #expect(try await waitFor { scheduler.states().first?.state == .passing })

        let changed = ContinuousClock.now
        probe.change(passing: false)
        #expect(try await waitFor { scheduler.states().first?.state == .failing })
        #expect(ContinuousClock.now - changed < .milliseconds(500))
        probe.change(passing: true)
        #expect(try await waitFor { scheduler.states().first?.state == .passing })
        #expect(probe.runs == 3, "one scheduled run and one per change: \(probe.runs)")

        // Two changes while nobody waits (between runs) still end in a run with the last answer.
        probe.change(passing: false)
        probe.change(passing: true)
        probe.change(passing: false)
        #expect(try await waitFor { scheduler.states().first?.state == .failing })
        running.cancel()
        await running.value
        #expect(await log.finished(within: .seconds(1)))
    }

    /// A change keeps the grid: runs still come at start + k × interval, not interval after the change.
    @Test func aChangeKeepsTheSchedule() async throws {
        let probe = NotifyingProbe(interval: .milliseconds(400))
        let scheduler = CheckScheduler(probes: [probe])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        let start = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(200))
        probe.change(passing: false)
        try await Task.sleep(for: .milliseconds(1_000))  // deadlines at 400 and 800 ms, then 1,200 ms
        let runs = probe.runs
        running.cancel()
        await running.value
        // Scheduled at 0, 400, 800, (1,200 ms: may just have come) and one for the change.
        #expect((4...5).contains(runs), "\(runs) runs in \(ContinuousClock.now - start)")
    }

    private func waitFor(_ condition: () -> Bool) async throws -> Bool {
        let limit = ContinuousClock.now + .seconds(2)
        while !condition() {
            guard ContinuousClock.now < limit else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
