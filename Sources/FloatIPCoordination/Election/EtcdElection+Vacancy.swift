import FloatIPCore

// A standby's side of the election: after a campaign lost to another node, wait for the key to go.
extension EtcdElection {
    /// Returns once the key is absent: its deletion seen by a watch from `revision + 1` (the losing
    /// campaign's view of the holder's create revision), or a poll every `renewInterval` (the first
    /// at once) that finds no key, whichever comes first. A poll backs the watch up because a watch
    /// on a cut-off member can stay silent; a broken watch is opened again after `renewInterval`.
    /// A key created again by another node keeps it waiting. Failed polls are retried; cancelling
    /// the calling task ends the wait (throws `CancellationError`).
    ///
    /// The answer is a hint, not a claim: the campaign that follows decides who holds.
    public nonisolated func waitUntilVacant(heldSince revision: Int64) async throws {
        let outcome = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.watchForDeletion(from: revision + 1) }
            group.addTask { await self.pollForAbsence() }
            let vacant = await group.next() ?? false
            group.cancelAll()
            return vacant
        }
        try Task.checkCancellation()
        guard outcome else { throw CancellationError() }
    }

    /// True once a watch reports the key deleted; false when cancelled.
    private nonisolated func watchForDeletion(from revision: Int64) async -> Bool {
        let seen = WatchProgress(from: revision)
        while !Task.isCancelled {
            do {
                try await client.watch(key, fromRevision: await seen.from) { event in
                    await seen.record(event)
                    return await !seen.deleted
                }
            } catch {
                // Reconnected below; the poll covers the gap.
            }
            if await seen.deleted { return true }
            do { try await Task.sleep(for: renewInterval) } catch { return false }
        }
        return false
    }

    /// True once a read finds no key; false when cancelled.
    private nonisolated func pollForAbsence() async -> Bool {
        while !Task.isCancelled {
            do {
                if try await client.get(key, timeout: renewInterval) == nil { return true }
            } catch {
                // Tried again after the interval (the watch may still answer).
            }
            do { try await Task.sleep(for: renewInterval) } catch { return false }
        }
        return false
    }
}

/// What a vacancy watch has seen: whether the key was deleted, and where to resume after a break.
private actor WatchProgress {
    private(set) var from: Int64
    private(set) var deleted = false

    init(from: Int64) { self.from = from }

    func record(_ event: EtcdWatchEvent) {
        switch event {
        case .delete: deleted = true
        // Written again (created by someone else, say): wait for that key to go, too.
        case .put(let value): from = max(from, value.modRevision + 1)
        }
    }
}
