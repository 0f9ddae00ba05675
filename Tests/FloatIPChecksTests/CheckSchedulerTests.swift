import FloatIPCore
import Foundation
import Synchronization
import Testing

@testable import FloatIPChecks

/// A probe at the scheduler's seam: it records when it ran and answers from a script.
final class ScriptedProbe: CheckProbe {
    let check: CheckConfig
    private let script: [Bool]
    private let state = Mutex<(runs: [ContinuousClock.Instant], next: Int)>(([], 0))

    init(_ name: String, interval: Duration, timeout: Duration = .milliseconds(20), rise: Int = 2, fall: Int = 2,
         script: [Bool] = [true]) {
        check = CheckConfig(name: name, kind: .command, target: "/bin/true", interval: interval, timeout: timeout,
                            rise: rise, fall: fall)
        self.script = script
    }

    var runs: [ContinuousClock.Instant] { state.withLock { $0.runs } }

    func run() async -> CheckResult {
        let index = state.withLock { state in
            state.runs.append(.now)
            defer { state.next += 1 }
            return state.next
        }
        let passed = script[min(index, script.count - 1)]
        return CheckResult(passed: passed, detail: "run \(index + 1): \(passed ? "pass" : "fail")", duration: .zero)
    }
}

/// A probe that ignores its timeout and cancellation: it answers only when the test opens the gate.
final class HungProbe: CheckProbe {
    let check: CheckConfig
    private let waiters = Mutex<(open: Bool, list: [CheckedContinuation<Void, Never>], runs: Int)>((false, [], 0))

    init(interval: Duration, timeout: Duration) {
        check = CheckConfig(name: "hung", kind: .command, target: "/bin/true", interval: interval, timeout: timeout)
    }

    var runs: Int { waiters.withLock { $0.runs } }

    func run() async -> CheckResult {
        await withCheckedContinuation { continuation in
            let open = waiters.withLock { state in
                state.runs += 1
                if !state.open { state.list.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
        return CheckResult(passed: true, detail: "finally", duration: .zero)
    }

    func open() {
        let list = waiters.withLock { state in
            state.open = true
            defer { state.list = [] }
            return state.list
        }
        for continuation in list { continuation.resume() }
    }
}

/// Collects a scheduler's events as they come.
final class EventLog: Sendable {
    private let events = Mutex<[(ContinuousClock.Instant, CheckEvent)]>([])
    private let ended = Mutex(false)

    init(_ stream: AsyncStream<CheckEvent>) {
        Task { [self] in
            for await event in stream { events.withLock { $0.append((.now, event)) } }
            ended.withLock { $0 = true }
        }
    }

    var all: [(ContinuousClock.Instant, CheckEvent)] { events.withLock { $0 } }

    /// Whether the stream finishes within `limit`.
    func finished(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !ended.withLock({ $0 }) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}

@Suite(.serialized) struct CheckSchedulerTests {
    /// A hung check is abandoned at timeout + 1 s and reported; the fast check next to it keeps its
    /// absolute schedule the whole time (measured by its run timestamps).
    @Test func aHungProbeDoesNotDelayAFastOne() async throws {
        let fast = ScriptedProbe("fast", interval: .milliseconds(50))
        let hung = HungProbe(interval: .milliseconds(300), timeout: .milliseconds(100))
        defer { hung.open() }
        let scheduler = CheckScheduler(probes: [fast, hung])
        let log = EventLog(scheduler.events)
        // A control: the same fast check alone, at the same time. Stalls of the whole process (other
        // suites blocking the concurrency pool's threads on a 2-core machine) show in both; what the
        // hung probe would cost shows only beside it.
        let control = ScriptedProbe("control", interval: .milliseconds(50))
        let controlScheduler = CheckScheduler(probes: [control])
        let start = ContinuousClock.now
        let running = Task { await scheduler.run() }
        let controlRunning = Task { await controlScheduler.run() }
        try await Task.sleep(for: .milliseconds(2_500))
        running.cancel()
        controlRunning.cancel()
        await running.value
        await controlRunning.value

        guard control.runs.count >= 20 else {
            // Swift's pool has one thread per core (2 here); CPU-bound suites running beside this one
            // (the simulator's seeds) can hold them all for seconds. Then nothing can be timed.
            print("aHungProbeDoesNotDelayAFastOne: not measured, the process was starved "
                + "(the control check ran \(control.runs.count) times in 2.5 s instead of 50)")
            return
        }

        // Fast: a run every 50 ms on the grid of its first run, none missed, no later than the control.
        let (runs, spread, drift) = try Self.schedule(fast.runs, interval: .milliseconds(50))
        let (controlRuns, controlSpread, _) = try Self.schedule(control.runs, interval: .milliseconds(50))
        print("fast check beside a hung one: \(runs) runs in 2.5 s, spread of offsets from the grid \(spread), "
            + "drift \(drift); alone: \(controlRuns) runs, spread \(controlSpread)")
        #expect(try #require(fast.runs.first) - start < .milliseconds(500))
        #expect(runs >= controlRuns - 2, "\(runs) runs beside the hung probe, \(controlRuns) alone")
        #expect(spread < controlSpread + .milliseconds(40), "spread \(spread), alone \(controlSpread)")

        // Hung: abandoned after timeout + grace = 1.1 s, reported as such; not run again while it hangs.
        let hungResults = log.all.compactMap { at, event -> (ContinuousClock.Instant, CheckResult)? in
            if case .result("hung", let result, _) = event { (at, result) } else { nil }
        }
        let abandoned = try #require(hungResults.first)
        #expect(abandoned.1.detail == "hung: no answer after 1.1 s")
        let after = abandoned.0 - start
        #expect(after >= .milliseconds(1_100) && after < .milliseconds(1_600) + controlSpread, "\(after)")
        #expect(hungResults.dropFirst().allSatisfy { $0.1.detail.hasPrefix("hung: the run before has not answered") })
        #expect(hung.runs == 1)
        #expect(scheduler.states().map(\.state) == [.passing, .failing])
    }

    /// How many runs, the spread of their offsets from the grid of the first run (the jitter), and the
    /// last offset (the drift).
    static func schedule(_ runs: [ContinuousClock.Instant], interval: Duration) throws -> (Int, Duration, Duration) {
        let first = try #require(runs.first)
        let offsets = runs.enumerated().map { index, at in at - (first + interval * index) }
        let spread = (offsets.max() ?? .zero) - (offsets.min() ?? .zero)
        return (runs.count, spread, offsets.last ?? .zero)
    }

    /// rise = 2, fall = 3 through the scheduler: the state flips on exactly the result it should.
    @Test func hysteresisFlipsExactlyWhenItShould() async throws {
        let script = [true, false, false, true, false, false, false, true, false, true, true, true]
        let probe = ScriptedProbe("svc", interval: .milliseconds(20), rise: 2, fall: 3, script: script)
        let scheduler = CheckScheduler(probes: [probe])
        let log = EventLog(scheduler.events)
        let running = Task { await scheduler.run() }
        let limit = ContinuousClock.now + .seconds(5)
        while probe.runs.count < script.count + 2, ContinuousClock.now < limit {
            try await Task.sleep(for: .milliseconds(10))
        }
        running.cancel()
        await running.value
        #expect(await log.finished(within: .seconds(1)))

        let changes = log.all.compactMap { _, event -> String? in
            if case .changed(let name, let from, let to, let detail) = event { "\(name) \(from)→\(to) at \(detail)" }
            else { nil }
        }
        #expect(changes == [
            "svc unknown→passing at run 1: pass",
            "svc passing→failing at run 7: fail",  // three failures in a row: runs 5, 6, 7
            "svc failing→passing at run 11: pass",  // two passes in a row: runs 10, 11
        ])
        // Every result comes with the state after it.
        let states = log.all.compactMap { _, event -> Hysteresis.State? in
            if case .result(_, _, let state) = event { state } else { nil }
        }
        #expect(Array(states.prefix(12)) == [.passing, .passing, .passing, .passing, .passing, .passing, .failing,
                                             .failing, .failing, .failing, .passing, .passing])
        let state = try #require(scheduler.states().first)
        #expect(state.state == .passing && state.detail.hasSuffix(": pass"))
    }

    /// Cancelling the task stops every check and finishes the stream; nothing runs after.
    @Test func cancellationStopsEverything() async throws {
        let probes = (0..<5).map { ScriptedProbe("c\($0)", interval: .milliseconds(20)) }
        let scheduler = CheckScheduler(probes: probes)
        let log = EventLog(scheduler.events)
        let running = Task { await scheduler.run() }
        try await Task.sleep(for: .milliseconds(200))
        let cancelledAt = ContinuousClock.now
        running.cancel()
        await running.value
        #expect(ContinuousClock.now - cancelledAt < .milliseconds(100))
        #expect(await log.finished(within: .seconds(1)))
        let counts = probes.map(\.runs.count)
        #expect(counts.allSatisfy { $0 >= 5 }, "\(counts)")
        try await Task.sleep(for: .milliseconds(100))
        #expect(probes.map(\.runs.count) == counts, "no run after cancellation")
        // A second run() returns at once.
        await scheduler.run()
    }

    /// A reload's checks: the unchanged one keeps its probe and state, the changed one keeps its state
    /// (a failure after it needs `fall` in a row), the new one starts unknown, the removed one stops.
    @Test func replaceKeepsUnchangedChecksAndStopsRemovedOnes() async throws {
        let kept = ScriptedProbe("kept", interval: .milliseconds(20))
        let changed = ScriptedProbe("changed", interval: .milliseconds(20))
        let removed = ScriptedProbe("removed", interval: .milliseconds(20))
        let scheduler = CheckScheduler(probes: [kept, changed, removed])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        let limit = ContinuousClock.now + .seconds(5)
        while scheduler.states().contains(where: { $0.state != .passing }), ContinuousClock.now < limit {
            try await Task.sleep(for: .milliseconds(10))
        }
        let changedAgain = ScriptedProbe("changed", interval: .milliseconds(30), fall: 3, script: [false])
        let added = ScriptedProbe("added", interval: .milliseconds(20), script: [false])
        scheduler.replace(with: [kept.check, changedAgain.check, added.check], made: ["changed": changedAgain, "added": added])
        var states = scheduler.states()
        #expect(states.map(\.config.name) == ["kept", "changed", "added"])
        #expect(states.map(\.state) == [.passing, .passing, .unknown])
        let removedRuns = removed.runs.count
        while changedAgain.runs.count < 2, ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(10)) }
        states = scheduler.states()
        #expect(states[1].state == .passing && states[1].streak == 2, "two failures of the three fall needs: \(states[1])")
        #expect(states[2].state == .failing, "the new check reported at once")
        #expect(removed.runs.count <= removedRuns + 1, "the removed check stops after its current run")
        #expect(scheduler.probes().map(\.check.name) == ["kept", "changed", "added"])
        #expect(scheduler.probes()[0] as? ScriptedProbe === kept, "the unchanged check keeps its probe")
    }

    @Test func nextDeadlineSkipsMissedSlotsOnTheGrid() {
        let start = ContinuousClock.now
        let interval = Duration.milliseconds(100)
        #expect(CheckScheduler.nextDeadline(after: start, interval: interval, now: start + .milliseconds(30))
            == start + interval)
        #expect(CheckScheduler.nextDeadline(after: start, interval: interval, now: start + .milliseconds(250))
            == start + .milliseconds(300))
    }
}
