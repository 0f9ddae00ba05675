import FloatIPCore
import Synchronization

/// Runs every check concurrently, each on its own schedule, and publishes results and state changes
/// through one stream.
///
/// - **Schedule.** Each check runs at once, then on absolute deadlines `start + k × interval`
///   (`ContinuousClock.sleep(until:)`, so there is no drift); a run that overruns its slot skips the
///   deadlines already past rather than running late ones in a burst. A probe that learns of
///   changes itself (`CheckProbe.notifyChanges`) also runs at once when its answer changes; the
///   deadlines stay where they were. Such a probe runs on its deadlines only while its hysteresis
///   counts (a result disagrees with the state); settled, it waits for a change, and polls once
///   every `settledPoll` (an idle agent does not wake for nothing).
/// - **Isolation.** Checks never wait for each other. A probe that overruns its timeout by more than
///   `grace` is abandoned and reported as `hung: no answer after …`; while it still has not returned,
///   later runs of that check are not started but reported failing the same way, so a hung probe
///   costs at most one task.
/// - **State.** Each result goes through the check's `Hysteresis` (rise/fall); `states()` is the
///   current `[CheckState]` for `HealthSummary`.
/// - **Stream.** `events` carries a `.result` per run and a `.changed` per state change (with the
///   output of the result that caused it). It buffers at most `bufferLimit` events, dropping the
///   oldest when its reader falls behind (`states()` stays exact), and finishes when `run()` returns.
///
/// `run()` returns when its task is cancelled; it may be called once.
public final class CheckScheduler: Sendable {
    /// The events, for one reader.
    public let events: AsyncStream<CheckEvent>
    private let continuation: AsyncStream<CheckEvent>.Continuation
    private let grace: Duration
    private let board: Mutex<Board>
    private let started = Mutex(false)
    /// Loops started by `replace` once `run()` runs.
    private let additions = AsyncStream.makeStream(of: Loop.self)

    /// The checks now: their states in order, and the loop that owns each (by name).
    struct Board {
        var states: [CheckState]
        var loops: [String: Loop]
        var generation = 0
    }

    /// One check's loop: its probe, and a generation that `replace` retires.
    struct Loop: Sendable {
        var probe: any CheckProbe
        var generation: Int
        var seed: Hysteresis.State = .unknown
    }

    /// `probes` in config order; `grace` is how long past its timeout a run may take before it is abandoned.
    public init(probes: [any CheckProbe], bufferLimit: Int = 1024, grace: Duration = GuardedRun.defaultGrace) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: CheckEvent.self, bufferingPolicy: .bufferingNewest(max(1, bufferLimit)))
        events = stream
        self.continuation = continuation
        self.grace = grace
        var board = Board(states: probes.map { CheckState(config: $0.check, state: .unknown) }, loops: [:])
        for probe in probes {
            board.generation += 1
            let loop = Loop(probe: probe, generation: board.generation)
            board.loops[probe.check.name] = loop
            additions.continuation.yield(loop)
        }
        self.board = Mutex(board)
    }

    /// Every check's current state, in the order of the probes.
    public func states() -> [CheckState] { board.withLock { $0.states } }

    /// A reload's checks (`checks`, in config order): a check whose config is unchanged keeps its
    /// loop, probe and state; a changed one runs `made[name]` and keeps its state until its own runs
    /// change it (rise and fall count from there); a new one runs `made[name]` from unknown; one no
    /// longer there stops after its current run and shuts its probe down. A check that is neither
    /// unchanged nor in `made` is left out.
    public func replace(with checks: [CheckConfig], made: [String: any CheckProbe]) {
        board.withLock { board in
            var states: [CheckState] = []
            var loops: [String: Loop] = [:]
            for check in checks {
                let old = board.states.first { $0.config.name == check.name }
                if let old, old.config == check, let loop = board.loops[check.name] {
                    states.append(old)
                    loops[check.name] = loop
                    continue
                }
                guard let probe = made[check.name] else { continue }
                board.generation += 1
                let seed = old?.state ?? .unknown
                let loop = Loop(probe: probe, generation: board.generation, seed: seed)
                loops[check.name] = loop
                states.append(CheckState(config: check, state: seed, detail: old == nil ? "" : "changed by a reload"))
                additions.continuation.yield(loop)
            }
            board.states = states
            board.loops = loops
        }
    }

    /// The probes of the checks now, in order.
    public func probes() -> [any CheckProbe] {
        board.withLock { board in board.states.compactMap { board.loops[$0.config.name]?.probe } }
    }

    /// Runs the checks until the task is cancelled, then finishes `events`. A second call returns at once.
    public func run() async {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        defer { continuation.finish() }
        await withDiscardingTaskGroup { group in
            // The checks of `init`, then those a reload adds (`replace`).
            for await loop in additions.stream {
                group.addTask { await self.schedule(loop) }
            }
        }
    }

    /// One check's loop: run, record, sleep until the next deadline; ends when cancelled, or when a
    /// reload retired it (then it shuts its probe down).
    private func schedule(_ loop: Loop) async {
        let probe = loop.probe
        let clock = ContinuousClock()
        let interval = probe.check.interval
        var hysteresis = Hysteresis(rise: probe.check.rise, fall: probe.check.fall, state: loop.seed)
        var abandoned: AbandonedRun?
        var deadline = clock.now
        let changes = ChangeSignal()
        let wakes = probe.notifyChanges { changes.wake() }
        while !Task.isCancelled {
            let result: CheckResult
            if let hung = abandoned, !hung.hasEnded {
                result = CheckResult(
                    passed: false, detail: "hung: the run before has not answered after "
                        + (probe.check.timeout + grace).shortDescription, duration: .zero)
            } else {
                let run = await GuardedRun.run(probe, grace: grace)
                result = run.result
                abandoned = run.abandoned
            }
            if Task.isCancelled { break }
            guard record(result, loop: loop, hysteresis: &hysteresis) else {
                await probe.shutdown()
                return
            }
            // A run that a change woke early keeps the deadline it was waiting for.
            if clock.now >= deadline {
                deadline = Self.nextDeadline(after: deadline, interval: interval, now: clock.now)
            }
            do {
                if wakes {
                    // An event-driven check whose last result agrees with its state has nothing to
                    // count: it sleeps until the probe reports a change (an idle agent wakes for
                    // nothing), and runs once in `settledPoll` in case an event was lost.
                    let settled = hysteresis.state != .unknown && hysteresis.streak == 0
                    try await changes.wait(until: settled ? max(deadline, clock.now + Self.settledPoll) : deadline)
                } else {
                    try await clock.sleep(until: deadline)
                }
            } catch {
                break
            }
        }
    }

    /// How often an event-driven check runs while its state is settled (see `schedule`).
    static let settledPoll: Duration = .seconds(60)

    /// The first deadline on the grid `previous + k × interval` (k ≥ 1) that is not yet past.
    static func nextDeadline(
        after previous: ContinuousClock.Instant, interval: Duration, now: ContinuousClock.Instant
    ) -> ContinuousClock.Instant {
        let next = previous + interval
        guard interval > .zero, now > next else { return next }
        let behind = Int((now - next) / interval) + 1
        return next + interval * behind
    }

    /// Records a run of `loop`'s check; false (nothing recorded) when a reload has retired the loop.
    private func record(_ result: CheckResult, loop: Loop, hysteresis: inout Hysteresis) -> Bool {
        let before = hysteresis.state
        let changed = hysteresis.record(passed: result.passed)
        let after = hysteresis.state
        let name = loop.probe.check.name
        let current = board.withLock { board -> Bool in
            guard board.loops[name]?.generation == loop.generation,
                let index = board.states.firstIndex(where: { $0.config.name == name })
            else { return false }
            board.states[index].state = after
            board.states[index].detail = result.detail
            board.states[index].streak = hysteresis.streak
            return true
        }
        guard current else { return false }
        continuation.yield(.result(name: name, result: result, state: after))
        if changed {
            continuation.yield(.changed(name: name, from: before, to: after, detail: result.detail))
        }
        return true
    }
}
