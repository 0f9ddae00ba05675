import FloatIPCore
import Testing

@testable import FloatIPAgent

/// A fault from the coordination backend (an etcd lease lost) moves the group like a failing
/// required check, survives health updates from the checks, and ends when cleared.
@Suite struct AgentCoordinationFaultTests {
    @Test func aCoordinationFaultMovesTheGroupUntilItIsCleared() async throws {
        let base = AgentCoreTests()
        let pair = try AgentCoreTests.Pair(base)
        await pair.start()
        defer { Task { await pair.stop() } }
        #expect(await base.waitForHolders(pair.world, ["web1"]) != nil)

        await pair.web1.setCoordinationFault(group: "web", reason: "lost etcd key /floatip/web/web: its lease is gone")
        #expect(await base.waitForHolders(pair.world, ["web2"]) != nil)
        let role = try #require(await pair.web1.roles().first)
        #expect(role.role == .fault)
        #expect(role.reason.contains("lost etcd key /floatip/web/web"), "\(role.reason)")

        // The checks report healthy again: the coordination fault stays.
        await pair.web1.setCondition(LocalCondition(priority: 200), group: "web")
        try await Task.sleep(for: .milliseconds(100))
        #expect(await pair.web1.roles().first?.role == .fault)
        #expect(pair.world.holders("web") == ["web2"])

        // Cleared: web1 is healthy again and fails back after preempt_delay (500 ms here).
        await pair.web1.setCoordinationFault(group: "web", reason: nil)
        #expect(await base.waitForHolders(pair.world, ["web1"], within: .seconds(3)) != nil)
        // Unknown groups are ignored.
        await pair.web1.setCoordinationFault(group: "nope", reason: "x")
        #expect(await pair.web1.roles().first?.role == .holder)
    }
}
