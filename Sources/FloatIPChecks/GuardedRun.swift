import FloatIPCore
import FloatIPLinux
import Synchronization

/// One run of a probe that the caller stops waiting for when it overruns its timeout by more than
/// a grace period: a probe is meant to enforce its own timeout, and one that does not (a bug, a
/// call that cannot be interrupted) must not hold up its caller. The abandoned run is cancelled and
/// left to end on its own.
public enum GuardedRun {
    /// How long past its timeout a run may take before it is abandoned.
    public static let defaultGrace: Duration = .seconds(1)

    /// The probe's result, or a failure `hung: no answer after …` with the run that was abandoned
    /// (nil when it was not, or has ended meanwhile), which says when it finally returns.
    public static func run(
        _ probe: any CheckProbe, grace: Duration = defaultGrace
    ) async -> (result: CheckResult, abandoned: AbandonedRun?) {
        let start = ContinuousClock.now
        let limit = probe.check.timeout + grace
        let race = OneShot<CheckResult?>()
        let finished = AbandonedRun()
        let work = Task {
            let result = await probe.run()
            finished.markEnded()
            race.finish(result)
        }
        let timer = Task {
            try? await Task.sleep(until: start + limit, clock: .continuous)
            race.finish(nil)
        }
        let result = await race.value(onCancel: nil)
        timer.cancel()
        if let result { return (result, nil) }
        work.cancel()
        let hung = CheckResult(
            passed: false, detail: "hung: no answer after \(limit.shortDescription)",
            duration: ContinuousClock.now - start)
        return (hung, finished.hasEnded ? nil : finished)
    }
}

/// A run that was abandoned; it says when it has finally ended.
public final class AbandonedRun: Sendable {
    private let ended = Mutex(false)

    init() {}

    func markEnded() { ended.withLock { $0 = true } }

    /// Whether the abandoned run has returned by now.
    public var hasEnded: Bool { ended.withLock { $0 } }
}
