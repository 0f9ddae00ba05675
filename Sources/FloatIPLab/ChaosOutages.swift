/// What the client saw around each fault, and per kind.
public struct ChaosOutages: Sendable {
    /// One fault's outage: the longest gap between two answers from its injection until the
    /// cluster settled after it (counting from the last answer before),
    /// and the requests sent in that span that failed.
    public struct Item: Sendable, Equatable {
        public var event: Int
        public var longestGap: Duration
        public var failedRequests: Int
        public var bound: Duration
    }

    /// Per fault kind: how many, and the outages' spread.
    public struct Kind: Sendable, Equatable {
        public var kind: ChaosFault.Kind
        public var count: Int
        public var hitHolder: Int
        public var failedRequests: Int
        public var p50: Duration
        public var p99: Duration
        public var max: Duration
        /// The largest bound that applied (a fault on the holder has the wider one).
        public var bound: Duration
        /// Settled faults whose outage was over their bound (`outage` violations).
        public var overBound: Int
        /// Faults after which the cluster did not settle (`unsettled` violations; not in `overBound`).
        public var unsettled: Int
    }

    public var items: [Item] = []
    public var kinds: [Kind] = []
    public var violations: [ChaosViolation] = []
}

extension ChaosJudge {
    /// The outage bound for a fault: the holder going silent (or a partition or loss, which can
    /// look like it) costs a failover; anything else a make-before-break move or nothing.
    public func outageBound(_ event: ChaosEvent) -> Duration {
        if let etcd = rules.etcd { return etcdOutageBound(event, etcd) }
        switch event.kind {
        case .loss, .partition: return rules.silentHolderOutage
        case .linkDown, .stall, .kill: return event.hitHolder ? rules.silentHolderOutage : rules.announcedOutage
        case .terminate, .failingCheck, .maintenance, .switchover: return rules.announcedOutage
        case .etcdKill, .etcdCut: return rules.silentHolderOutage
        }
    }

    /// Under etcd (`ChaosEtcdRules`): the lease's failover when the holder goes silent or loses
    /// etcd; the member-kill bound for etcd members; a break-before-make hand-over for the rest
    /// (a partition or a loss burst cannot move the group: etcd decides).
    private func etcdOutageBound(_ event: ChaosEvent, _ etcd: ChaosEtcdRules) -> Duration {
        switch event.kind {
        case .linkDown, .stall, .kill: return event.hitHolder ? etcd.leaseFailover : etcd.handover(announced: rules.announcedOutage)
        case .etcdCut: return etcd.leaseFailover
        case .etcdKill: return etcd.memberKillOutage(down: event.end - event.start, membersDown: event.membersDown)
        case .loss, .partition, .terminate, .failingCheck, .maintenance, .switchover: return etcd.handover(announced: rules.announcedOutage)
        }
    }

    /// Every fault's outage against its bound, and the spread per kind.
    public func outages(_ facts: ChaosFacts) -> ChaosOutages {
        var result = ChaosOutages()
        let answers = facts.requests.compactMap(\.answered).sorted()
        for (index, event) in facts.events.enumerated() {
            let gap = Self.longestGap(answers, from: event.start, to: event.settled)
            let failed = facts.requests[Self.sentRange(facts.requests, from: event.start, to: event.settled)].filter {
                guard let answered = $0.answered else { return true }
                return answered - $0.sent > facts.requestTimeout
            }.count
            let item = ChaosOutages.Item(event: index, longestGap: gap, failedRequests: failed, bound: outageBound(event))
            result.items.append(item)
            if gap > item.bound, !facts.unsettled.contains(index) {
                result.violations.append(ChaosViolation(rule: "outage", at: event.start, text: "\(event.detail): the client "
                    + "went \(LabText.duration(gap)) without an answer (\(failed) requests failed); bound "
                    + "\(LabText.duration(item.bound))"))
            }
        }
        for kind in ChaosFault.Kind.allCases {
            let items = result.items.filter { facts.events[$0.event].kind == kind }
            guard !items.isEmpty else { continue }
            let gaps = items.map(\.longestGap).sorted()
            result.kinds.append(ChaosOutages.Kind(
                kind: kind, count: items.count, hitHolder: items.filter { facts.events[$0.event].hitHolder }.count,
                failedRequests: items.map(\.failedRequests).reduce(0, +), p50: Self.percentile(gaps, 50),
                p99: Self.percentile(gaps, 99), max: gaps.last ?? .zero, bound: items.map(\.bound).max() ?? .zero,
                overBound: items.filter { $0.longestGap > $0.bound && !facts.unsettled.contains($0.event) }.count,
                unsettled: items.filter { facts.unsettled.contains($0.event) }.count))
        }
        return result
    }

    /// The longest gap between consecutive answers, from the last answer before `from` up to `to`
    /// (the lab's outage, docs/lab.md). `to` is when the cluster had settled, which needs an answer
    /// within the last 50 ms: the next fault starts then, so nothing after it counts here.
    static func longestGap(_ answers: [Duration], from: Duration, to: Duration) -> Duration {
        let firstInside = ChaosSearch.firstIndex(answers) { $0 >= from }
        let firstAfter = max(firstInside, ChaosSearch.firstIndex(answers) { $0 >= to })
        var previous = firstInside > 0 ? answers[firstInside - 1] : from
        var longest = Duration.zero
        for answer in answers[firstInside..<firstAfter] {
            longest = max(longest, answer - previous)
            previous = answer
        }
        return max(longest, to - previous)
    }

    /// The requests sent in `from..<to` (requests are in the order sent).
    static func sentRange(_ requests: [ChaosRequest], from: Duration, to: Duration) -> Range<Int> {
        let lower = ChaosSearch.firstIndex(requests) { $0.sent >= from }
        return lower..<max(lower, ChaosSearch.firstIndex(requests) { $0.sent >= to })
    }

    /// The `percent`-th percentile of sorted `values` (nearest rank).
    static func percentile(_ values: [Duration], _ percent: Int) -> Duration {
        guard !values.isEmpty else { return .zero }
        let rank = (values.count * percent + 99) / 100
        return values[min(values.count, max(1, rank)) - 1]
    }
}
