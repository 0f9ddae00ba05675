import Foundation

/// The chaos report as JSON (times in seconds from the run's start, durations in milliseconds).
extension ChaosReport {
    struct JSON: Encodable {
        struct Kind: Encodable {
            var kind: String, count: Int, onHolder: Int, p50Ms: Double, p99Ms: Double, maxMs: Double, boundMs: Double
            var overBound: Int, unsettled: Int, failedRequests: Int
        }
        struct Fault: Encodable {
            var kind: String, node: Int, peer: Int?, onHolder: Bool, startS: Double, endS: Double, settledS: Double
            var detail: String, outageMs: Double, failedRequests: Int, boundMs: Double
        }
        struct Violation: Encodable { var rule: String, atS: Double, text: String }
        struct Reading: Encodable { var atS: Double, rssKiB: Int, threads: Int, descriptors: Int }
        struct Agent: Encodable { var node: Int, pid: Int32, first: Reading, last: Reading }
        var verdict: String
        var seed: UInt64, nodes: Int, durationS: Double
        /// With `--etcd`: the members and the lease's ttl (and `rulesMs` has the etcd bounds).
        var etcd: [String: Double]?
        var observer: [String: String]
        var client: [String: Double]
        var rulesMs: [String: Double]
        var kinds: [Kind]
        var faults: [Fault]
        var violations: [Violation]
        var agents: [Agent]
    }

    /// The report as pretty-printed JSON.
    public func json() -> Data {
        let ms = LabText.milliseconds
        let s = { (duration: Duration) in ms(duration) / 1000 }
        let reading = { (r: ChaosResourceReading) in JSON.Reading(atS: s(r.at), rssKiB: r.rssKiB, threads: r.threads, descriptors: r.descriptors) }
        let totals = client
        let report = JSON(
            verdict: passed ? "pass" : "fail", seed: seed, nodes: nodes, durationS: s(duration),
            etcd: rules.etcd.map { ["members": Double($0.members), "ttlS": s($0.ttl)] },
            observer: ["method": "netlink RTM_GETADDR dump in every node namespace, every 10 ms", "samples": "\(facts.samples.count)",
                       "longestGapMs": "\(ms(longestSampleGap))"],
            client: ["requests": Double(totals.sent), "failed": Double(totals.failed), "spacingMs": 5],
            rulesMs: ["makeBeforeBreakOverlap": ms(rules.makeBeforeBreakOverlap), "partitionHeal": ms(rules.partitionHeal),
                      "stallKeep": ms(rules.stallKeep), "staleRelease": ms(rules.staleRelease), "preemptDelay": ms(rules.preemptDelay),
                      "silentHolderOutage": ms(rules.silentHolderOutage), "announcedOutage": ms(rules.announcedOutage),
                      "quietGap": ms(rules.quietGap), "settleLimit": ms(rules.settleLimit)].merging(rules.etcd.map { etcd in
                          ["etcdLeaseFailover": ms(etcd.leaseFailover), "etcdHandover": ms(etcd.handover(announced: rules.announcedOutage)),
                           "etcdRecovery": ms(etcd.recovery)]
                      } ?? [:]) { $1 },
            kinds: outages.kinds.map {
                JSON.Kind(kind: $0.kind.rawValue, count: $0.count, onHolder: $0.hitHolder, p50Ms: ms($0.p50), p99Ms: ms($0.p99),
                          maxMs: ms($0.max), boundMs: ms($0.bound), overBound: $0.overBound, unsettled: $0.unsettled,
                          failedRequests: $0.failedRequests)
            },
            faults: zip(facts.events, outages.items).map { event, item in
                JSON.Fault(kind: event.kind.rawValue, node: event.node, peer: event.peer, onHolder: event.hitHolder,
                           startS: s(event.start), endS: s(event.end), settledS: s(event.settled), detail: event.detail,
                           outageMs: ms(item.longestGap), failedRequests: item.failedRequests, boundMs: ms(item.bound))
            },
            violations: violations.map { JSON.Violation(rule: $0.rule, atS: s($0.at), text: $0.text) },
            agents: facts.resources.map { JSON.Agent(node: $0.node, pid: $0.pid, first: reading($0.first), last: reading($0.last)) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(report)) ?? Data("{}".utf8)
    }

    /// Writes `json()` to `path`.
    public func write(to path: String) throws(LabError) {
        do {
            try json().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .system("cannot write the chaos report to \(path): \(error)")
        }
    }
}
