/// A broken rule found by the judge.
public struct ChaosViolation: Sendable, Equatable {
    /// Which rule: `two-holders`, `stale-view`, `outage`, `crash`, `unsettled`, `resources`.
    public var rule: String
    /// When (offset from the run's start).
    public var at: Duration
    /// What happened, in words.
    public var text: String

    public init(rule: String, at: Duration, text: String) {
        self.rule = rule
        self.at = at
        self.text = text
    }
}

/// Judges a chaos run from outside: from the observer's address samples, the client's answers,
/// the fault timeline and the agents' processes, never from what the agents say. Pure: the same
/// facts give the same verdict (the tests feed it synthetic samples).
public struct ChaosJudge: Sendable {
    public var rules: ChaosRules

    public init(rules: ChaosRules) { self.rules = rules }

    /// Every violation in `facts`, in time order; `outages` when the caller has them already.
    public func violations(_ facts: ChaosFacts, outages known: ChaosOutages? = nil) -> [ChaosViolation] {
        let outages = known ?? outages(facts)
        var found = twoHolders(facts) + staleView(facts) + outages.violations
        found += facts.crashes.map {
            ChaosViolation(rule: "crash", at: $0.at, text: "the agent of web\($0.node) (pid \($0.pid)) exited without being killed; its log ends:\n\($0.logTail)")
        }
        // An unsettled fault's outage runs until the tool gave up: it is reported here, once, and
        // not again as an `outage`.
        found += facts.unsettled.map { index in
            let event = facts.events[index]
            let gap = outages.items.first { $0.event == index }.map { " (the client's longest gap since it began: \(LabText.duration($0.longestGap)))" } ?? ""
            return ChaosViolation(rule: "unsettled", at: event.end, text: "no single holder answered the client within "
                + "\(LabText.duration(rules.settleLimit)) of the quiet gap after \(event.detail)\(gap)")
        }
        found += resources(facts)
        return found.sorted { $0.at < $1.at }
    }

    // MARK: Two holders

    /// Whether node `node` may hold beside another at `at`: a stalled or killed agent's node, in
    /// the windows `ChaosRules` names; never under etcd (its address is bounded by its lease).
    func excused(node: Int, at: Duration, events: [ChaosEvent]) -> Bool {
        guard rules.etcd == nil else { return false }
        return events.contains { event in
            guard event.node == node else { return false }
            switch event.kind {
            case .stall:
                return (event.start...(event.start + rules.stallKeep)).contains(at)
                    || (event.end...(event.end + rules.staleRelease)).contains(at)
            case .kill:
                return (event.start...(event.start + rules.stallKeep)).contains(at)
            default:
                return false
            }
        }
    }

    /// Whether a loss burst or a partition (or its heal) covers `at`: any number of holders is
    /// allowed, except under etcd (etcd, not the peers, decides who holds).
    func partitioned(at: Duration, events: [ChaosEvent]) -> Bool {
        guard rules.etcd == nil else { return false }
        return events.contains { ($0.kind == .loss || $0.kind == .partition) && ($0.start...($0.end + rules.partitionHeal)).contains(at) }
    }

    /// Two or more holders, not excused, for longer than a make-before-break overlap.
    func twoHolders(_ facts: ChaosFacts) -> [ChaosViolation] {
        var found: [ChaosViolation] = []
        var run: (first: ChaosSample, nodes: Set<Int>)?
        func close(at end: Duration) {
            guard let current = run else { return }
            run = nil
            let length = end - current.first.at
            guard length > rules.makeBeforeBreakOverlap else { return }
            let names = current.nodes.sorted().map { "web\($0)" }.joined(separator: ", ")
            found.append(ChaosViolation(rule: "two-holders", at: current.first.at, text: "\(names) held the address together for "
                + "\(LabText.duration(length)), outside any allowed window (make-before-break allows "
                + "\(LabText.duration(rules.makeBeforeBreakOverlap)))"))
        }
        for sample in facts.samples {
            // Most samples have one holder: only those with more look at the windows.
            let held = sample.holders.nonzeroBitCount > 1 ? sample.nodes : []
            let unexcused = held.filter { !excused(node: $0, at: sample.at, events: facts.events) }
            if unexcused.count > 1, !partitioned(at: sample.at, events: facts.events) {
                if run == nil { run = (sample, []) }
                run?.nodes.formUnion(unexcused)
            } else if sample.unknown == 0 {
                close(at: sample.at)
            }
        }
        if let last = facts.samples.last { close(at: last.at) }
        return found
    }

    /// A holder that was stalled while a peer claimed must not hold again between
    /// `resume + staleRelease` and `resume + preempt_delay` (it fails back only by the normal rules).
    func staleView(_ facts: ChaosFacts) -> [ChaosViolation] {
        var found: [ChaosViolation] = []
        for event in facts.events where event.kind == .stall && event.hitHolder {
            let bit = UInt8(1) << UInt8(event.node - 1)
            let claimedMeanwhile = facts.samples[ChaosSearch.range(facts.samples, from: event.start, to: event.end)].contains {
                $0.holders & ~bit != 0
            }
            guard claimedMeanwhile else { continue }
            let from = event.end + rules.staleRelease + rules.staleViewMargin
            let to = event.end + rules.preemptDelay - rules.staleViewMargin
            guard from < to, let held = facts.samples[ChaosSearch.range(facts.samples, from: from, to: to)].first(where: { $0.holders & bit != 0 })
            else { continue }
            let since = facts.samples[ChaosSearch.range(facts.samples, from: event.end, to: held.at)].reversed()
                .prefix { $0.holders & bit != 0 }.last?.at ?? held.at
            found.append(ChaosViolation(rule: "stale-view", at: held.at, text: "web\(event.node) held the address "
                + "\(LabText.duration(held.at - event.end)) after resuming (without a break since "
                + "\(LabText.duration(since - event.end)) after) from a \(LabText.duration(event.end - event.start)) "
                + "stall, though a peer claimed while it was stopped: a stalled node must release within "
                + "\(LabText.duration(rules.staleRelease)) and fail back only after preempt_delay "
                + "(\(LabText.duration(rules.preemptDelay)))"))
        }
        return found
    }

    // MARK: Resources

    func resources(_ facts: ChaosFacts) -> [ChaosViolation] {
        facts.resources.compactMap { agent in
            guard agent.last.at - agent.first.at >= rules.resourceMinimumSpan else { return nil }
            var grew: [String] = []
            if agent.last.threads > agent.first.threads + rules.threadGrowth {
                grew.append("threads \(agent.first.threads) → \(agent.last.threads)")
            }
            if agent.last.descriptors > agent.first.descriptors + rules.descriptorGrowth {
                grew.append("open descriptors \(agent.first.descriptors) → \(agent.last.descriptors)")
            }
            if agent.last.rssKiB > agent.first.rssKiB + rules.rssGrowthKiB {
                grew.append("RSS \(agent.first.rssKiB) → \(agent.last.rssKiB) KiB")
            }
            guard !grew.isEmpty else { return nil }
            return ChaosViolation(rule: "resources", at: agent.last.at, text: "the agent of web\(agent.node) (pid \(agent.pid)) grew "
                + "over \(LabText.duration(agent.last.at - agent.first.at)): " + grew.joined(separator: ", "))
        }
    }
}
