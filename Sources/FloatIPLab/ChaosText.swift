/// Small helpers the chaos judge and report share: durations in words, time ranges of samples.
enum ChaosText {
    /// `Duration` as seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Milliseconds, as a number for the report.
    static func milliseconds(_ duration: Duration) -> Double { (seconds(duration) * 10_000).rounded() / 10 }

    /// `340 ms`, `6.9 ms`, `2.10 s`.
    static func duration(_ duration: Duration) -> String {
        let value = seconds(duration)
        if value >= 1 { return String(format: "%.2f s", value) }
        return value * 1000 >= 10 ? "\(Int((value * 1000).rounded())) ms" : String(format: "%.1f ms", value * 1000)
    }

    /// `12.345 s`: an offset from the run's start.
    static func offset(_ duration: Duration) -> String { String(format: "%8.3f s", seconds(duration)) }

    /// The indices of `samples` (in time order) taken in `from..<to`, found by bisection.
    static func range(_ samples: [ChaosSample], from: Duration, to: Duration) -> Range<Int> {
        let lower = firstIndex(samples) { $0.at >= from }
        let upper = max(lower, firstIndex(samples) { $0.at >= to })
        return lower..<upper
    }

    /// The first index where `predicate` holds, for a predicate false then true along the array.
    static func firstIndex<T>(_ items: [T], where predicate: (T) -> Bool) -> Int {
        var low = 0
        var high = items.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(items[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
