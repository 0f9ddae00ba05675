/// Runs `work` for at most `limit`: its result, or nil when the time ran out first (or the caller
/// was cancelled). The work's task is then cancelled and awaited, so it must answer cancellation
/// promptly (AsyncHTTPClient does: it closes the connection).
func withTimeLimit<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await work() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
