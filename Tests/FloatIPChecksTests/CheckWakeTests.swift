import FloatIPCore
import Foundation
import Synchronization
import Testing

@testable import FloatIPChecks

/// A probe that learns of changes itself: the test sets its answer and says so (`change`).
final class NotifyingProbe: CheckProbe {
    let check: CheckConfig
    private let state = Mutex<(passing: Bool, runs: Int, wake: (@Sendable () -> Void)?)>((true, 0, nil))

    init(interval: Duration, fall: Int = 1) {
        check = CheckConfig(name: "link", kind: .interface, target: "v0", interval: interval,
                            timeout: .milliseconds(50), rise: 1, fall: fall)
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

    /// Settled, an event-driven check does not run on its grid: an idle agent wakes for nothing.
    /// A change that starts a count (fall 3) runs at once, and the count goes on on the grid
    /// (start + k × interval, not interval after the change) until the state turns; then it is
    /// settled again.
    @Test func aSettledCheckWaitsForAChangeAndACountKeepsTheSchedule() async throws {
        let probe = NotifyingProbe(interval: .milliseconds(400), fall: 3)
        let scheduler = CheckScheduler(probes: [probe])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        let start = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(900))
        #expect(probe.runs == 1, "settled: no run on the grid at 400 and 800 ms (\(probe.runs) runs)")
        probe.change(passing: false)  // at about 900 ms: a run at once, then 1,200 and 1,600 ms
        try await Task.sleep(for: .milliseconds(1_500))
        let runs = probe.runs
        let state = scheduler.states().first?.state
        running.cancel()
        await running.value
        // 0, the change, 1,200 and 1,600 ms (failing after the third failure), nothing at 2,000 and 2,400 ms.
        #expect(runs == 4, "\(runs) runs in \(ContinuousClock.now - start)")
        #expect(state == .failing)
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
