import FloatIPCore
import FloatIPLab
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// A three-node mix in one VRRP virtual router (`floatip lab up --nodes 3 --keepalived 2`): web1 runs
/// floatip (priority 200), web2 and web3 keepalived 2.2.7 (190, 180), version 3 at 100 ms. The floatip
/// node is master, leaves (a failing check, a clean stop, SIGKILL) and comes back; each time the
/// client, probing every 5 ms, sees the address move, and the time to the new holder's first answer
/// is measured from the client.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct LabKeepalivedTests {
    @Test func aFloatipNodeLeadsTwoKeepalivedNodesAndLeavesThemAgain() throws {
        guard ExternalTool.find("keepalived", for: "the mixed lab", package: "keepalived") != nil else { return }
        var layout = try LabLayout(name: LabTests.uniqueName(), nodes: 3)
        layout.keepalived = [2, 3]
        defer { _ = try? Lab.down(layout) }
        let lab = try Lab.up(layout, binary: try CLITests.floatipBinary().path)
        #expect(try lab.confirmedHolders() == [1])
        let probe = try LabProbe(namespace: layout.clientNamespace, maximumDuration: .seconds(60))
        probe.start()
        defer { _ = probe.stop() }
        Thread.sleep(forTimeInterval: 0.3)
        // Per move: the client's longest gap and failed requests, and when the new holder first answered.
        var moves: [(String, LabProbeRecord.Outage, Duration)] = []
        func move(_ name: String, to node: Int, _ action: () throws -> Void) throws {
            let started = ContinuousClock.now
            try action()
            let outage = try PlannedMoveTests.outage(until: node, after: started, probe: probe, lab: lab)
            let first = probe.record().firstAnswer(from: layout.nodeName(node), after: started).map { $0 - started } ?? .seconds(99)
            moves.append((name, outage, first))
        }

        try move("web1's check fails → web2 (keepalived)", to: 2) { try lab.setService(node: 1, up: false) }
        try move("web1's check passes → web1 preempts", to: 1) { try lab.setService(node: 1, up: true) }
        try move("web1's agent stops (SIGTERM) → web2", to: 2) { try lab.stopAgent(node: 1, signal: SIGTERM) }
        #expect(try lab.confirmedHolders() == [2])
        try move("web1's agent starts → web1 preempts", to: 1) { try lab.startAgent(node: 1) }
        try move("web1's agent killed (SIGKILL) → web2", to: 2) { try lab.stopAgent(node: 1, signal: SIGKILL) }
        // Killed, the agent cannot release: the address expires from web1 after its lifetime (3 s).
        let expiry = ContinuousClock.now + LabLayout.addressLifetime + .seconds(2)
        while ContinuousClock.now < expiry, try lab.holders().contains(1) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(try lab.confirmedHolders() == [2])
        let record = probe.stop()
        let text = moves.map { name, outage, first in
            String(format: "%@: first answer after %.0f ms, longest gap %.0f ms (%d failed)", name,
                   Double(first.nanoseconds) / 1e6, Double(outage.longestGap.nanoseconds) / 1e6, outage.failedRequests)
        }
        print("mixed lab (floatip web1, keepalived web2 web3; v3 100 ms): " + text.joined(separator: "; ")
            + "; client: \(record.totals.sent) requests, \(record.totals.failed) failed")
        #expect(moves.count == 5)
        // keepalived's master-down interval at priority 190 is 326 ms; every move is well within a second.
        // (After SIGKILL web1's service still answers on the address until web2's announcement wins.)
        #expect(moves.allSatisfy { $0.1.longestGap < .seconds(1) && $0.2 < .seconds(1) }, "\(text)")
    }
}
