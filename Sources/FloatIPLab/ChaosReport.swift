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
        violations = judge.violations(facts)
        outages = judge.outages(facts)
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
        var lines = ["fault kind       count  on holder  outage p50      p99      max    bound  over  failed"]
        for kind in outages.kinds {
            lines.append(kind.kind.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                + Self.column(kind.count, 7) + Self.column(kind.hitHolder, 11) + Self.column(ChaosText.duration(kind.p50), 12)
                + Self.column(ChaosText.duration(kind.p99), 9) + Self.column(ChaosText.duration(kind.max), 9)
                + Self.column(ChaosText.duration(kind.bound), 9) + Self.column(kind.overBound, 6) + Self.column(kind.failedRequests, 8))
        }
        let totals = client
        let availability = totals.sent == 0 ? 0 : 100 * Double(totals.sent - totals.failed) / Double(totals.sent)
        lines.append("client: \(totals.sent) requests every 5 ms, \(totals.failed) failed (answered: "
            + String(format: "%.3f", availability) + " %)")
        lines.append("observer: \(facts.samples.count) samples (netlink address dumps of every node every 10 ms), "
            + "longest gap between two \(ChaosText.duration(longestSampleGap))")
        for agent in facts.resources {
            lines.append("agent web\(agent.node) pid \(agent.pid): RSS \(agent.first.rssKiB) → \(agent.last.rssKiB) KiB, "
                + "threads \(agent.first.threads) → \(agent.last.threads), open descriptors \(agent.first.descriptors) → "
                + "\(agent.last.descriptors) over \(ChaosText.duration(agent.last.at - agent.first.at))")
        }
        let byRule = Dictionary(grouping: violations, by: \.rule).map { "\($0.key) \($0.value.count)" }.sorted()
        lines.append(passed ? "verdict: PASS, \(facts.events.count) faults, 0 violations (seed \(seed))"
            : "verdict: FAIL, \(violations.count) violations (\(byRule.joined(separator: ", "))), seed \(seed)")
        return lines.joined(separator: "\n")
    }

    /// A violation with what it takes to look into it: the seed, the faults around it, and what the
    /// observer and the client saw from 1 s before to 1 s after.
    public func details(_ violation: ChaosViolation) -> String {
        var lines = ["violation (\(violation.rule)) at \(ChaosText.offset(violation.at)): \(violation.text)",
                     "  seed \(seed): floatip lab chaos --seed \(seed) --nodes \(nodes) --duration \(Int(ChaosText.seconds(duration)))s",
                     "  faults around it:"]
        for event in facts.events where event.settled >= violation.at - .seconds(15) && event.start <= violation.at + .seconds(5) {
            lines.append("    \(ChaosText.offset(event.start)) … \(ChaosText.offset(event.end))  \(event.detail)"
                + (event.hitHolder ? " [holder]" : ""))
        }
        let from = violation.at - .seconds(1)
        let to = violation.at + .seconds(1)
        lines.append("  observer (who held the address; each change, ±1 s):")
        var previous: UInt8?
        for sample in facts.samples[ChaosText.range(facts.samples, from: from, to: to)] where sample.holders != previous {
            previous = sample.holders
            let names = sample.nodes.map { "web\($0)" }.joined(separator: ", ")
            lines.append("    \(ChaosText.offset(sample.at))  \(names.isEmpty ? "nobody" : names)"
                + (sample.unknown != 0 ? " (some nodes unread)" : ""))
        }
        lines.append("  client (who answered; each change and each gap over 20 ms, ±1 s):")
        var last: (node: String?, at: Duration)?
        for request in facts.requests[ChaosJudge.sentRange(facts.requests, from: from, to: to)] {
            guard let answered = request.answered else { continue }
            if last == nil || last?.node != request.node || answered - last!.at > .milliseconds(20) {
                let gap = last.map { " after \(ChaosText.duration(answered - $0.at))" } ?? ""
                lines.append("    \(ChaosText.offset(answered))  \(request.node ?? "?")\(gap)")
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
