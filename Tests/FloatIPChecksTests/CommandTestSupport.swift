import Foundation

/// What /proc says about processes, for the tests that kill process groups.
enum ProcTable {
    /// Whether `pid` is gone: no /proc entry, or a zombie that is only waiting for its parent (init in a
    /// container may be slow to reap the grandchildren it inherits).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // `pid (comm) S …`: the state follows the last `)`.
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].dropFirst().first
        return state == "Z" || state == "X"
    }

    /// Waits (at most `limit`) until every pid is gone; says whether they all went.
    static func waitUntilGone(_ pids: [Int32], limit: Duration = .seconds(3)) async -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if pids.allSatisfy(isGone) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return pids.allSatisfy(isGone)
    }

    /// The number of file descriptors this process has open.
    static func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// Process ids written one a line to `path` (waits up to 3 s for `count` of them).
    static func pids(in path: String, count: Int) async -> [Int32] {
        for _ in 0..<150 {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let pids = text.split(separator: "\n").compactMap { Int32($0) }
            if pids.count >= count { return pids }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return []
    }
}
