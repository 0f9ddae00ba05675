import FloatIPLinux
import Synchronization

/// A probe's news that its answer changed, for the scheduler's wait between runs: `wait(until:)`
/// returns at the deadline or at the first `wake()`, whichever comes first. A wake while no one
/// waits (during a run) is kept, so the next wait returns at once and no change is missed.
final class ChangeSignal: Sendable {
    private struct State: ~Copyable {
        var pending = false
        var waiter: OneShot<Void>?
    }

    private let state = Mutex(State())

    init() {}

    func wake() {
        let waiter = state.withLock { state -> OneShot<Void>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.finish(())
    }

    /// Sleeps until `deadline` or a wake; throws when the task is cancelled.
    func wait(until deadline: ContinuousClock.Instant) async throws {
        let race = OneShot<Void>()
        let woken = state.withLock { state -> Bool in
            if state.pending {
                state.pending = false
                return true
            }
            state.waiter = race
            return false
        }
        if woken { return }
        let timer = Task {
            try? await ContinuousClock().sleep(until: deadline, tolerance: .zero)
            race.finish(())
        }
        await race.value(onCancel: ())
        timer.cancel()
        state.withLock { state in
            if state.waiter === race { state.waiter = nil }
        }
        try Task.checkCancellation()
    }
}
