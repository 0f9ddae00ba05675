/// Counts matches in a sliding window of time. Matches found in one run share that run's time, so it
/// keeps one entry per run that found any, not one per line: at most `maxEntries` (older ones are
/// dropped first).
struct MatchWindow {
    let window: Duration
    let maxEntries: Int
    private var entries: [(time: ContinuousClock.Instant, count: Int)] = []
    private var last: (time: ContinuousClock.Instant, line: String)?

    init(window: Duration, maxEntries: Int = 100_000) {
        self.window = window
        self.maxEntries = maxEntries
    }

    /// Records `count` matches seen at `time`, the last of them `lastLine`.
    mutating func record(_ count: Int, lastLine: String, at time: ContinuousClock.Instant) {
        guard count > 0 else { return }
        entries.append((time, count))
        if entries.count > maxEntries { entries.removeFirst(entries.count - maxEntries) }
        last = (time, lastLine)
    }

    /// Matches within `window` before `now` (older ones are forgotten).
    mutating func count(now: ContinuousClock.Instant) -> Int {
        let oldest = now - window
        if let firstKept = entries.firstIndex(where: { $0.time > oldest }) {
            entries.removeFirst(firstKept)
        } else {
            entries.removeAll()
        }
        if let last, last.time <= oldest { self.last = nil }
        return entries.reduce(0) { $0 + $1.count }
    }

    /// The last matching line still within the window (after `count(now:)`).
    var lastLine: String? { last?.line }
}
