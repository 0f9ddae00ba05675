import FloatIPCore
import FloatIPLab
import Foundation
import Testing

/// Planned moves seen from a client asking the floating address every 5 ms: maintenance and
/// switchover are make-before-break, so not one request may fail, ten times in a row each.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct PlannedMoveTests {
    static let repetitions = 10

    @Test func tenMaintenanceMovesLoseNoRequest() async throws {
        try await offPool {
            try Self.withLab { lab, probe in
                // Alternate: maintenance on the holder moves the group to the other node; taking the
                // old holder out of maintenance and putting the new one in moves it back, at once.
                var moves: [LabProbeRecord.Outage] = []
                for repetition in 0..<Self.repetitions {
                    let (from, to) = repetition % 2 == 0 ? (1, 2) : (2, 1)
                    try lab.setMaintenance(node: to, on: false)
                    let started = ContinuousClock.now
                    try lab.setMaintenance(node: from, on: true)
                    moves.append(try Self.outage(until: to, after: started, probe: probe, lab: lab))
                }
                return moves
            }
        }
    }

    @Test func tenSwitchoversLoseNoRequest() async throws {
        try await offPool {
            try Self.withLab { lab, probe in
                var moves: [LabProbeRecord.Outage] = []
                for repetition in 0..<Self.repetitions {
                    let (from, to) = repetition % 2 == 0 ? (1, 2) : (2, 1)
                    let started = ContinuousClock.now
                    let printed = try lab.switchover(from: from, to: to)
                    #expect(printed.contains("web\(to)"), "\(printed)")
                    moves.append(try Self.outage(until: to, after: started, probe: probe, lab: lab))
                }
                return moves
            }
        }
    }

    /// Rule 3 (docs/decision.md) through a restart: SIGTERM hands the group over, the restarted agent fails
    /// back after preempt_delay; the client misses nothing, and two holders only ever overlap for the
    /// make-before-break moment.
    @Test func restartingTheHoldersAgentLosesNoRequest() async throws {
        try await offPool {
            try Self.withLab(repetitions: 2) { lab, probe in
                let restarted = ContinuousClock.now
                let watcher = HolderWatch.recording(lab)
                try lab.restartAgent(node: 1)
                let away = try Self.outage(until: 2, after: restarted, probe: probe, lab: lab)
                // Back on web1 after its start-up listen and preempt_delay (2 s).
                let back = try Self.outage(until: 1, after: ContinuousClock.now, probe: probe, lab: lab)
                let samples = watcher.stop()
                // Make-before-break: both hold for the moment between the new claim and the old
                // release (a heartbeat or two); never longer.
                var run = 0
                var longest = 0
                for sample in samples {
                    run = sample.holders.count > 1 ? run + 1 : 0
                    longest = max(longest, run)
                }
                #expect(samples.count > 20, "\(samples.count) samples")
                #expect(longest <= 5, "two holders in \(longest) samples in a row (10 ms apart)")
                return [away, back]
            }
        }
    }

    /// Builds a lab, runs `moves` with the client probing, checks every move, removes the lab.
    /// `coordinated` runs the lab with `coordination: etcd` (TTL 3 s) and an etcd on the switch.
    static func withLab(
        repetitions: Int = repetitions, coordinated: Bool = false, allowedFailures: Int = 0,
        _ moves: (Lab, LabProbe) throws -> [LabProbeRecord.Outage]
    ) throws {
        var layout = try LabLayout(name: LabTests.uniqueName())
        var etcd: EtcdServer?
        defer { etcd?.stop() }
        if coordinated {
            layout.extraConfig = "coordination: { kind: etcd, endpoints: [\"http://198.18.0.5:2379\"], ttl: 3s }\n"
        }
        defer { _ = try? Lab.down(layout) }
        let lab = try Lab.up(layout, binary: try CLITests.floatipBinary().path, beforeAgents: { [layout] in
            guard coordinated else { return }
            try LabShell.ip("-n", layout.switchNamespace, "addr", "add", "198.18.0.5/24", "dev", LabLayout.bridge)
            etcd = try EtcdServer(address: "198.18.0.5", namespace: layout.switchNamespace)
        })
        try waitUntilStandby(node: 2, lab: lab)
        // Let web1's claim burst end (3 rounds 50 ms apart): a hand-over started within it can race
        // its last round, which repoints the client at web1 just after web2's first announcement,
        // costing one spacing (50 ms). Found here about one run in three; noted in docs/linux.md.
        Thread.sleep(forTimeInterval: 0.2)
        let probe = try LabProbe(namespace: layout.clientNamespace, maximumDuration: .seconds(90))
        probe.start()
        defer { _ = probe.stop() }
        let outages = try moves(lab, probe)
        let record = probe.stop()
        let gaps = outages.map { String(format: "%.1f", Double($0.longestGap.components.attoseconds) / 1e15
                                            + Double($0.longestGap.components.seconds) * 1000) }
        print("\(outages.count) moves, longest gap per move (ms): \(gaps.joined(separator: " ")); "
            + "client: \(record.totals.sent) requests, \(record.totals.failed) failed")
        #expect(outages.count == repetitions)
        #expect(outages.allSatisfy { $0.failedRequests <= allowedFailures }, "\(outages)")
        #expect(record.totals.failed <= allowedFailures * outages.count)
        #expect(record.totals.sent > 100, "the probe ran")
    }

    /// Waits (bounded) until node `node` has finished its startup listen and stands by.
    static func waitUntilStandby(node: Int, lab: Lab) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        var last = ""
        while ContinuousClock.now < deadline {
            last = (try? LabShell.ip("netns", "exec", lab.layout.namespace(node: node), lab.binary, "status", "--json",
                                     "--config", lab.layout.configFile(node: node))) ?? ""
            if last.contains("\"standby\"") { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("web\(node) never stood by: \(last)")
    }

    /// Waits (bounded) until `node` answers the client after `instant`, then lets the old holder
    /// finish releasing; the outage from `instant` to that first answer.
    static func outage(until node: Int, after instant: ContinuousClock.Instant, probe: LabProbe, lab: Lab) throws
        -> LabProbeRecord.Outage
    {
        let name = lab.layout.nodeName(node)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let latest = probe.latestAnswer(), latest.node == name, latest.at >= instant { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let record = probe.record()
        let answered = try #require(record.firstAnswer(from: name, after: instant), "\(name) never answered")
        Thread.sleep(forTimeInterval: 0.3)
        return record.outage(from: instant, to: answered)
    }
}
