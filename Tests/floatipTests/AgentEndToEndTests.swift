import FloatIPCore
import Foundation
import Glibc
import Testing

/// The real `floatip agent` on two servers in namespaces.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AgentEndToEndTests {
    let timers = Timers()

    @Test func theStandbyTakesOverWhenTheHolderIsKilled() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))\n\(lab.log(2))")
        lab.signal(1, SIGKILL)
        let took = try await lab.wait(.seconds(3)) { try lab.holds(2) }
        let failover = try #require(took, "\(lab.log(2))")
        print("agent failover after SIGKILL, seen from outside: \(failover.shortDescription)")
        #expect(failover < timers.interval * (timers.deadAfter + 2) + .milliseconds(300), "generous bound")
        // The killed agent could not release: its address expires by itself (3 s lifetime).
        #expect(try await lab.wait(.seconds(6)) { try !lab.holds(1) } != nil)
        #expect(try lab.holders() == [2])
        #expect(lab.log(2).contains("holder web1 silent for"))
    }

    @Test func aCleanStopHandsOverAndTheNodeTakesItBackWhenItReturns() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil)
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
        #expect(try lab.holders() == [2], "handed over before it exited")
        #expect(lab.log(1).contains("handed over to web2"), "\(lab.log(1))")
        // web1 comes back: failback after preempt_delay (1 s), make-before-break.
        try lab.start(1)
        #expect(try await lab.wait(.seconds(6)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        #expect(lab.log(1).contains("failback"))
    }

    @Test func aFailingRequiredCheckMovesTheGroupAndItComesBack() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        #expect(try await lab.wait(.seconds(3)) { try lab.holders() == [2] } != nil, "\(lab.log(1))")
        #expect(lab.log(1).contains("required check service failing"), "\(lab.log(1))")
        try Data().write(to: lab.serviceFile(1))
        // Healthy again: failback after preempt_delay (1 s).
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
    }
}
