import Foundation

/// Runs blocking work (file system, /proc, a child's pipe, netlink) on a thread of its own, so that a
/// hung call (a dead NFS mount, a stuck child) costs one thread and never a thread of Swift's
/// concurrency pool, and stops waiting for it at `timeout`.
enum BlockingCall {
    /// The work's value, or nil when `timeout` passed first (or the task was cancelled); the work
    /// then finishes on its thread unobserved.
    static func run<Value: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> Value) async -> Value? {
        let race = OneShot<Value?>()
        let thread = Thread { race.finish(work()) }
        thread.name = "floatip-check"
        thread.start()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            race.finish(nil)
        }
        defer { timer.cancel() }
        return await race.value(onCancel: nil)
    }
}
