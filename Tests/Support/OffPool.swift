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
