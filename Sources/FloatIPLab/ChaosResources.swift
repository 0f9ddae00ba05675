import Foundation

/// Reads an agent's resources from /proc, and keeps each agent process's first and last reading.
struct ChaosResources {
    /// An agent is first read once it has run this long (its thread pools and sockets are up by then).
    static let warmUp: Duration = .seconds(5)

    private struct Watched {
        var node: Int
        var seen: Duration
        var first: ChaosResourceReading?
        var last: ChaosResourceReading?
    }

    private var watched: [Int32: Watched] = [:]

    /// `/proc/PID/status` (VmRSS, Threads) and the entries of `/proc/PID/fd`; nil if the process is gone.
    static func read(_ pid: Int32, at: Duration) -> ChaosResourceReading? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return nil }
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { $0.dropFirst(name.count + 1).split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } }
        }
        guard let rss = field("VmRSS"), let threads = field("Threads") else { return nil }
        return ChaosResourceReading(at: at, rssKiB: rss, threads: threads, descriptors: descriptors.count)
    }

    /// Reads every agent in `agents` (node, PID) that has run at least `warmUp`.
    mutating func sample(_ agents: [(node: Int, pid: Int32)], at: Duration) {
        for (node, pid) in agents {
            var entry = watched[pid] ?? Watched(node: node, seen: at)
            if at - entry.seen >= Self.warmUp, let reading = Self.read(pid, at: at) {
                if entry.first == nil { entry.first = reading }
                entry.last = reading
            }
            watched[pid] = entry
        }
    }

    /// Every agent process read at least once, by node then PID.
    var agents: [ChaosAgentResources] {
        watched.compactMap { pid, entry in
            guard let first = entry.first, let last = entry.last else { return nil }
            return ChaosAgentResources(node: entry.node, pid: pid, first: first, last: last)
        }.sorted { ($0.node, $0.first.at) < ($1.node, $1.first.at) }
    }
}
