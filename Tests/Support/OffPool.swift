import Foundation

/// Runs blocking or CPU-heavy test work on a thread of its own, outside Swift's cooperative pool.
///
/// The pool has one thread per core (two on CI). Tests run in parallel on it, so a test that
/// computes for a minute (the simulator's seeds) or blocks waiting for a child process would starve
/// the tests that need the pool to keep real-time promises (an agent's heartbeats and timers).
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// One serial queue for heavy computation in tests: at most one core busy with it, so the other
/// core and the cooperative pool stay free for tests with real-time timers. (Dispatch's threads
/// are not the cooperative pool's.)
private let computeQueue = DispatchQueue(label: "floatip.tests.compute")

/// Runs CPU-heavy test work (simulations) on the shared serial compute queue.
public func onComputeQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        computeQueue.async { continuation.resume(with: Result { try body() }) }
    }
}
