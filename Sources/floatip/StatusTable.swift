import Foundation
import FloatIPAgent

/// `floatip status` for a person: aligned tables of groups, peers and checks, then the counters.
enum StatusTable {
    static func render(_ status: AgentStatus) -> String {
        var out = "node \(status.node) (cluster \(status.cluster))" + (status.maintenance ? ", in maintenance" : "") + "\n\n"
        out += table(
            ["GROUP", "ROLE", "HOLDER", "TERM", "REASON"],
            status.groups.map { group in
                let role = group.role + (group.maintenance && group.role != "maintenance" ? " (maintenance set)" : "")
                let reason = group.reason + (group.handoverTo.map { " (handing over to \($0))" } ?? "")
                return [group.name, role, group.holder ?? "none", "\(group.term)", reason]
            })
        let movers = status.groups.compactMap { group in group.mover.map { (group.name, $0) } }
        if !movers.isEmpty {
            out += "\n" + table(
                ["GROUP", "MOVER", "PROVIDER HOLDER", "LAST CALL", "LATENCY", "ANSWER"],
                movers.map { name, mover in
                    let holder = mover.providerHolder.map { $0 + (mover.providerHoldsHere == true ? " (here)" : "") } ?? "none"
                    let answer = mover.lastError.map { "error: \($0)" } ?? mover.answer ?? "-"
                    return [name, mover.kind, holder, mover.lastCall ?? "-", mover.latencyMs.map { age($0) } ?? "-", answer]
                })
        }
        if !status.peers.isEmpty {
            out += "\n" + table(
                ["PEER", "ADDRESS", "STATE", "LAST HEARD"],
                status.peers.map { peer in
                    let heard = peer.lastHeardMs.map { "\(age($0)) ago" } ?? "never"
                    let quiet = peer.quietEveryMs.map { ", quiet: every \(age($0))" } ?? ""
                    return [peer.name, peer.address, peer.state + quiet + (peer.timerMismatch ? " (timers differ)" : ""), heard]
                })
        }
        if !status.checks.isEmpty {
            out += "\n" + table(
                ["CHECK", "KIND", "STATE", "REQUIRED", "DETAIL"],
                status.checks.map { [$0.name, $0.kind, $0.state, $0.required ? "yes" : "no", $0.detail] })
        }
        if let tracking = status.tracking {
            out += "\ntracking: \(tracking.verdict)"
                + (tracking.verdict == "unreachable" ? " (no tracked address answers: every group is in fault)" : "")
                + "\n" + table(
                    ["TARGET", "KIND", "ANSWERS", "LAST ROUND", "DETAIL"],
                    tracking.targets.map { target in
                        let answers = target.reachable.map { $0 ? "yes" : "no" } ?? "not yet"
                        let last = target.lastCheckedMs.map { "\(age($0)) ago" } ?? "-"
                        return [target.target, target.kind, answers, last, target.detail]
                    })
        }
        let counters = status.counters
        out += "\nheartbeats: \(counters.sent) sent, \(counters.received) received; transitions: \(counters.transitions)\n"
        let rejected = counters.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        out += "rejected: " + (rejected.isEmpty ? "none" : rejected.joined(separator: ", ")) + "\n"
        return out
    }

    /// `850 ms`, `12.3 s`, `4 min`.
    static func age(_ milliseconds: Double) -> String { AgentStatus.age(milliseconds) }

    /// Columns padded to their widest cell; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
