import Foundation

/// A chaos run's verdict: the faults, what the judge found, and the numbers (printed as a table
/// and written as JSON).
public struct ChaosReport: Sendable {
    public var seed: UInt64
    public var nodes: Int
    public var duration: Duration
    public var rules: ChaosRules
    public var facts: ChaosFacts
    public var violations: [ChaosViolation]
    public var outages: ChaosOutages

    public init(options: ChaosRun.Options, rules: ChaosRules, facts: ChaosFacts, judge: ChaosJudge) {
        seed = options.seed
        nodes = options.nodes
        duration = options.duration
        self.rules = rules
        self.facts = facts
        outages = judge.outages(facts)
        violations = judge.violations(facts, outages: outages)
    }

    /// Whether the judge found nothing.
    public var passed: Bool { violations.isEmpty }

    /// The client's totals: requests sent, failed (not answered within the timeout).
    public var client: (sent: Int, failed: Int) {
        (facts.requests.count, facts.requests.filter { request in
            request.answered.map { $0 - request.sent > facts.requestTimeout } ?? true
        }.count)
    }

    /// The longest time between two observer samples (how blind it ever was).
    public var longestSampleGap: Duration {
        zip(facts.samples, facts.samples.dropFirst()).map { $1.at - $0.at }.max() ?? .zero
    }

    /// The verdict table.
    public var table: String {
        var lines = ["fault kind       count  on holder  outage p50      p99      max    bound  over  unsettled  failed"]
        for kind in outages.kinds {
            lines.append(kind.kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                + Self.column(kind.count, 7) + Self.column(kind.hitHolder, 11) + Self.column(LabText.duration(kind.p50), 12)
                + Self.column(LabText.duration(kind.p99), 9) + Self.column(LabText.duration(kind.max), 9)
                + Self.column(LabText.duration(kind.bound), 9) + Self.column(kind.overBound, 6) + Self.column(kind.unsettled, 11)
                + Self.column(kind.failedRequests, 8))
        }
        let totals = client
        lines.append("client: \(totals.sent) requests every 5 ms, \(totals.failed) failed (answered: "
            + LabText.percent(totals.sent - totals.failed, of: totals.sent) + ")")
        lines.append("observer: \(facts.samples.count) samples (netlink address dumps of every node every 10 ms), "
            + "longest gap between two \(LabText.duration(longestSampleGap))")
        for agent in facts.resources {
            lines.append("agent web\(agent.node) pid \(agent.pid): RSS \(agent.first.rssKiB) → \(agent.last.rssKiB) KiB, "
                + "threads \(agent.first.threads) → \(agent.last.threads), open descriptors \(agent.first.descriptors) → "
                + "\(agent.last.descriptors) over \(LabText.duration(agent.last.at - agent.first.at))")
        }
        let byRule = Dictionary(grouping: violations, by: \.rule).map { "\($0.key) \($0.value.count)" }.sorted()
        lines.append(passed ? "verdict: PASS, \(facts.events.count) faults, 0 violations (seed \(seed))"
            : "verdict: FAIL, \(violations.count) violations (\(byRule.joined(separator: ", "))), seed \(seed)")
        return lines.joined(separator: "\n")
    }

    /// A violation with what it takes to look into it: the seed, the faults around it, and what the
    /// observer and the client saw from 1 s before to 1 s after.
    public func details(_ violation: ChaosViolation) -> String {
        var lines = ["violation (\(violation.rule)) at \(LabText.offset(violation.at)): \(violation.text)",
                     "  seed \(seed): floatip lab chaos --seed \(seed) --nodes \(nodes) --duration \(Int(LabText.seconds(duration)))s"
                        + (rules.etcd == nil ? "" : " --etcd"),
                     "  faults around it:"]
        for event in facts.events where event.settled >= violation.at - .seconds(15) && event.start <= violation.at + .seconds(5) {
            lines.append("    \(LabText.offset(event.start)) … \(LabText.offset(event.end))  \(event.detail)"
                + (event.hitHolder ? " [holder]" : ""))
        }
        let from = violation.at - .seconds(1)
        let to = violation.at + .seconds(1)
        lines.append("  observer (who held the address; each change, ±1 s):")
        var previous: UInt8?
        for sample in facts.samples[ChaosSearch.range(facts.samples, from: from, to: to)] where sample.holders != previous {
            previous = sample.holders
            let names = sample.nodes.map { "web\($0)" }.joined(separator: ", ")
            lines.append("    \(LabText.offset(sample.at))  \(names.isEmpty ? "nobody" : names)"
                + (sample.unknown != 0 ? " (some nodes unread)" : ""))
        }
        lines.append("  client (who answered; each change and each gap over 20 ms, ±1 s):")
        var last: (node: String?, at: Duration)?
        for request in facts.requests[ChaosJudge.sentRange(facts.requests, from: from, to: to)] {
            guard let answered = request.answered else { continue }
            if last == nil || last?.node != request.node || answered - last!.at > .milliseconds(20) {
                let gap = last.map { " after \(LabText.duration(answered - $0.at))" } ?? ""
                lines.append("    \(LabText.offset(answered))  \(request.node ?? "?")\(gap)")
            }
            last = (request.node, answered)
        }
        return lines.joined(separator: "\n")
    }

    private static func column(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(1, width - text.count)) + text
    }
}
