import Foundation

/// Runs blocking work (a socket exchange, the file system, /proc, a child's pipe, netlink) on a
/// thread of its own, so that it never holds a thread of Swift's concurrency pool: a hung call (a
/// dead NFS mount, a stuck child) then costs one thread, and the pool keeps serving the agent.
public enum OffPoolCall {
    /// Work that bounds itself (a socket exchange with its own deadline): its value or its error.
    public static func run<Value: Sendable, Failure: Error>(
        name: String, _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            start(name) { continuation.resume(returning: Result { () throws(Failure) -> Value in try work() }) }
        }
        return try result.get()
    }

    /// Work that may hang: its value, or nil when `timeout` passed first (or the task was
    /// cancelled); the work then finishes on its thread unobserved.
    public static func run<Value: Sendable>(
        name: String, timeout: Duration, _ work: @escaping @Sendable () -> Value
    ) async -> Value? {
        let race = OneShot<Value?>()
        start(name) { race.finish(work()) }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            race.finish(nil)
        }
        defer { timer.cancel() }
        return await race.value(onCancel: nil)
    }

    private static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
