/// What the client's probe saw: every request with its send time and, if answered, when and by whom.
public struct LabProbeRecord: Sendable {
    /// One request.
    public struct Request: Sendable {
        /// When it went out.
        public var sent: ContinuousClock.Instant
        /// When its answer came, if one did.
        public var answered: ContinuousClock.Instant?
        /// The node that answered.
        public var node: String?

        /// Whether it was answered within `timeout`.
        public func succeeded(within timeout: Duration) -> Bool {
            guard let answered else { return false }
            return answered - sent <= timeout
        }
    }

    /// An interval without answers, and the requests that failed in it.
    public struct Outage: Sendable, Equatable {
        /// The longest time between two consecutive answers in the interval.
        public var longestGap: Duration
        /// Requests sent in the interval that were not answered within the timeout.
        public var failedRequests: Int
    }

    /// Every request, in the order sent (index = sequence number).
    public var requests: [Request]
    /// A request not answered within this counts as failed.
    public var timeout: Duration

    /// The first answer from `node` that arrived at or after `instant`.
    public func firstAnswer(from node: String, after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        requests.lazy.compactMap { request -> ContinuousClock.Instant? in
            guard request.node == node, let answered = request.answered, answered >= instant else { return nil }
            return answered
        }.min()
    }

    /// The outage between `start` and `end`: the longest gap between consecutive answers,
    /// counting from the last answer before `start` up to the first answer at or after `end`,
    /// and the requests sent from `start` up to `end` that failed.
    public func outage(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> Outage {
        let answers = requests.compactMap(\.answered).sorted()
        let before = answers.last { $0 < start } ?? start
        let after = answers.first { $0 >= end } ?? end
        let inside = [before] + answers.filter { $0 > before && $0 < after } + [after]
        let gap = zip(inside, inside.dropFirst()).map { $1 - $0 }.max() ?? .zero
        let failed = requests.filter { $0.sent >= start && $0.sent < end && !$0.succeeded(within: timeout) }.count
        return Outage(longestGap: gap, failedRequests: failed)
    }

    /// Requests sent, and how many failed.
    public var totals: (sent: Int, failed: Int) {
        (requests.count, requests.filter { !$0.succeeded(within: timeout) }.count)
    }
}
