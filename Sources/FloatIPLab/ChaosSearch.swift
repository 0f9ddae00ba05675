/// Bisection over the chaos run's time-ordered records (samples, answers, requests).
enum ChaosSearch {
    /// The indices of `samples` (in time order) taken in `from..<to`.
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
