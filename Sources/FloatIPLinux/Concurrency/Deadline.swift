/// Runs `work` for at most `timeout`: its result, or nil when the time ran out first.
///
/// When the time runs out the work's task is cancelled and awaited, so the work must answer
/// cancellation promptly (NIO's async channels and AsyncHTTPClient do: they close the connection).
/// Cancelling the caller's task counts as running out of time. (Checks and the etcd client use it.)
public func withDeadline<T: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await work() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
