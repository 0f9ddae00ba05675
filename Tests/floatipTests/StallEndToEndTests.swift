import FloatIPCore
import FloatIPLab
import Foundation
import Glibc
import Testing

/// Rule 8 (docs/decision.md) with real agents: the holder's agent is frozen with SIGSTOP for 2 s,
/// as a paused VM or a swap storm would freeze it. web2 takes over; when web1 resumes it yields
/// to web2 and takes the group back only after preempt_delay (2 s in the lab), make-before-break,
/// so the client loses no request at the failback.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct StallEndToEndTests {
    @Test func aFrozenHolderYieldsOnResumeAndFailsBackAfterPreemptDelayLosingNoRequest() async throws {
        try await offPool {
            let layout = try LabLayout(name: LabTests.uniqueName())
            defer { _ = try? Lab.down(layout) }
            let lab = try Lab.up(layout, binary: try CLITests.floatipBinary().path)
            try PlannedMoveTests.waitUntilStandby(node: 2, lab: lab)
            Thread.sleep(forTimeInterval: 0.2)
            let agent = try #require(lab.state.processes.first { $0.role == "agent" && $0.node == "web1" })
            let probe = try LabProbe(namespace: layout.clientNamespace, maximumDuration: .seconds(60))
            probe.start()
            defer { _ = probe.stop() }
            let watch = HolderWatch.recording(lab)

            let stopped = ContinuousClock.now
            #expect(kill(agent.pid, SIGSTOP) == 0)
            // Whatever happens below, the agent is not left stopped (Lab.down could not hand over).
            defer { kill(agent.pid, SIGCONT) }
            Thread.sleep(forTimeInterval: 2)
            let resumed = ContinuousClock.now
            #expect(kill(agent.pid, SIGCONT) == 0)

            let back = try PlannedMoveTests.outage(until: 1, after: resumed, probe: probe, lab: lab)
            let record = probe.stop()
            let samples = watch.stop()
            let answeredAgain = try #require(record.firstAnswer(from: "web1", after: resumed))
            let takeover = try #require(record.firstAnswer(from: "web2", after: stopped))
            print("stall 2 s: web2 answered after \(takeover - stopped); web1 answered again \(answeredAgain - resumed) "
                + "after its resume (failback: longest gap \(back.longestGap), \(back.failedRequests) failed)")
            #expect(takeover - stopped < .milliseconds(600), "web2 takes over from the frozen holder")
            // The failback waits preempt_delay from the resume (plus the claim), and loses nothing.
            #expect(answeredAgain - resumed >= LabLayout.preemptDelay, "web1 took the group back too early")
            let failed = record.requests.filter { $0.sent >= resumed && $0.sent <= answeredAgain && !$0.succeeded(within: record.timeout) }
            #expect(back.failedRequests == 0, "\(back); failed requests sent \(failed.map { "\($0.sent - resumed) after the resume (answered by \($0.node ?? "none"))" }), web1 answered again \(answeredAgain - resumed) after it")
            // From half a second after the resume until web1's failback claim, only web2 holds.
            let settled = samples.filter { $0.at > resumed + .milliseconds(500) && $0.at < resumed + LabLayout.preemptDelay }
            #expect(settled.count > 50, "\(settled.count) samples")
            #expect(settled.allSatisfy { $0.holders == [2] }, "\(settled.map(\.holders))")
            let log = (try? String(contentsOfFile: layout.agentLog(node: 1), encoding: .utf8)) ?? ""
            #expect(log.contains("was stalled for"), "web1 logs its stall")
            #expect(log.contains("stalled for") && log.contains("released"), "web1 says why it released")
        }
    }
}
