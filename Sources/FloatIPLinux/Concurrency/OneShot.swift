import Synchronization

/// A value that the first of several racers sets, and one task awaits: the race between a piece of
/// work and its deadline, where the loser is abandoned rather than awaited.
public final class OneShot<Value: Sendable>: Sendable {
    private struct State: ~Copyable {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the value if none is set yet (later calls are ignored) and wakes the waiter.
    public func finish(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    /// Whether a value is set.
    public var isFinished: Bool { state.withLock { $0.value != nil } }

    /// The value, once set. Call it from one task only. If that task is cancelled, `onCancel` is set.
    public func value(onCancel: Value) async -> Value {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Value? in
                    if let value = state.value { return value }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish(onCancel)
        }
    }
}
