import FloatIPCore
import Synchronization
import Testing

@testable import FloatIPAgent

/// `AgentCore.retryClaim` (what etcd coordination calls when the key another node held is gone):
/// a claim that failed is tried again at once, not after the claim-failure backoff (1 s).
@Suite struct AgentClaimRetryTests {
    /// Fails its first `failures` claims as a lost etcd campaign would; then claims.
    final class RefusingMover: Mover {
        private let state: Mutex<(failuresLeft: Int, claims: [ContinuousClock.Instant], holds: Bool)>

        init(failures: Int) { state = Mutex((failures, [], false)) }

        var claims: [ContinuousClock.Instant] { state.withLock { $0.claims } }
        var holds: Bool { state.withLock { $0.holds } }

        func claim(_ group: GroupConfig, epoch: UInt64) async throws {
            let refused = state.withLock { state in
                state.claims.append(.now)
                guard state.failuresLeft > 0 else {
                    state.holds = true
                    return false
                }
                state.failuresLeft -= 1
                return true
            }
            if refused { throw TestRefusal() }
        }

        func release(_ group: GroupConfig, epoch: UInt64) async throws { state.withLock { $0.holds = false } }
        func announce(_ group: GroupConfig) async throws {}
        func holder(of group: GroupConfig) async throws -> MoverHolder { holds ? .this : .none }
    }

    struct TestRefusal: Error, CustomStringConvertible {
        var description: String { "etcd key /floatip/web/web is held by web1 (since revision 8)" }
    }

    /// web2 alone (its peer web1 silent), with `mover`; started.
    func agent(_ mover: RefusingMover) async throws -> AgentCore {
        let network = InMemoryNetwork()
        let agent = try AgentCore(
            config: AgentCoreTests().config("web2", peer: "web1", priority: 100), secret: AgentCoreTests.secret,
            clock: SystemClock(), transport: network.endpoint("web2"), movers: ["web": mover])
        await agent.start()
        return agent
    }

    func waitUntil(_ limit: Duration, _ condition: () async -> Bool) async -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    @Test func aRetryClaimsAgainBeforeTheBackoffEnds() async throws {
        let mover = RefusingMover(failures: 1)
        let core = try await agent(mover)
        defer { Task { await core.stop() } }
        #expect(await waitUntil(.seconds(2)) { await core.roles().first?.role == .fault })
        let reason = try #require(await core.roles().first?.reason)
        #expect(reason.contains("claim failed: etcd key /floatip/web/web is held by web1"), "\(reason)")
        try await Task.sleep(for: .milliseconds(100))
        #expect(mover.claims.count == 1)

        let asked = ContinuousClock.now
        await core.retryClaim(group: "web")
        #expect(await waitUntil(.seconds(2)) { mover.holds })
        let second = try #require(mover.claims.dropFirst().first)
        #expect(second - asked < .milliseconds(200), "claimed again at once (\(second - asked))")
        #expect(second - mover.claims[0] < .seconds(1), "before the 1 s claim-failure backoff ended")
        #expect(await core.roles().first?.role == .holder)
    }

    @Test func aRetryWithoutAFailedClaimDoesNothing() async throws {
        let mover = RefusingMover(failures: 0)
        let core = try await agent(mover)
        defer { Task { await core.stop() } }
        #expect(await waitUntil(.seconds(2)) { mover.holds })
        await core.retryClaim(group: "web")
        await core.retryClaim(group: "nope")
        try await Task.sleep(for: .milliseconds(100))
        #expect(mover.claims.count == 1, "no second claim")
        #expect(await core.roles().first?.role == .holder)
    }
}
