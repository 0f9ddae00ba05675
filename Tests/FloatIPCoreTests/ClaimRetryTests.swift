import Testing

@testable import FloatIPCore

/// `claimMayRetry`: the mover (etcd) says the key another node held is gone, so a failed claim is
/// tried again at once instead of after the claim-failure backoff; the engine still decides.
@Suite struct ClaimRetryTests {
    let timers = GroupEngineTests.timers
    let healthy = LocalCondition(priority: 100)

    func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }

    func peer(_ name: String, _ role: Role, heardAt: Int64, priority: Int = 200, term: UInt64 = 1) -> PeerView {
        PeerView(
            name: name, heardAt: ms(heardAt),
            advert: GroupAdvert(
                group: "web", role: role, priority: priority, healthy: role != .fault, maintenance: false,
                active: role == .holder, sticky: false, handover: nil, term: term))
    }

    /// The role after one step of `engine`.
    func role(_ engine: inout GroupEngine, _ peers: [PeerView], at time: Int64) -> Role {
        engine.step(local: healthy, peers: peers, now: ms(time)).role
    }

    /// web2 saw web1 hold until 400 ms, took over once web1 was silent (710 ms) and failed to claim
    /// at 711 ms (web1's key still held), retrying after 1 s.
    func failedTakeover() -> GroupEngine {
        var engine = GroupEngine(group: "web", node: "web2", preempt: false, timers: timers, startedAt: .zero)
        let web1 = [peer("web1", .holder, heardAt: 400)]
        #expect(role(&engine, web1, at: 400) == .standby)
        let takeover = engine.step(local: healthy, peers: web1, now: ms(710))
        #expect(takeover.intents.contains(.claim(epoch: 2)))
        let failed = engine.claimFailed(epoch: 2, message: "etcd key held by web1", now: ms(711), retryAfter: .seconds(1))
        #expect(failed.role == .fault)
        return engine
    }

    @Test func retryEndsTheBackoffAtOnce() {
        var engine = failedTakeover()
        let silent = [peer("web1", .holder, heardAt: 400)]
        #expect(role(&engine, silent, at: 900) == .fault)
        let retry = engine.claimMayRetry()
        #expect(retry)
        let retried = engine.step(local: healthy, peers: silent, now: ms(901))
        #expect(retried.role == .holder)
        #expect(retried.intents.contains(.claim(epoch: 3)))
    }

    @Test func withoutRetryTheBackoffAndARelistenApply() {
        // The control: the backoff ends at 1 711 ms, then the node, hearing no peer, listens one
        // dead interval more (rule 6 after a fault) before it claims.
        var engine = failedTakeover()
        let silent = [peer("web1", .holder, heardAt: 400)]
        #expect(role(&engine, silent, at: 1_710) == .fault)
        #expect(role(&engine, silent, at: 1_711) == .standby)
        #expect(role(&engine, silent, at: 2_011) == .holder)
    }

    @Test func retryWithoutAFailedClaimChangesNothing() {
        var engine = GroupEngine(group: "web", node: "web2", preempt: false, timers: timers, startedAt: .zero)
        let before = engine.claimMayRetry()
        #expect(!before)
        #expect(role(&engine, [peer("web1", .holder, heardAt: 400)], at: 400) == .standby)
        let standing = engine.claimMayRetry()
        #expect(!standing)
        #expect(engine.role == .standby)
    }

    @Test func retryDoesNotOverrideAnUnhealthyNode() {
        var engine = failedTakeover()
        let retry = engine.claimMayRetry()
        #expect(retry)
        var sick = healthy
        sick.healthy = false
        sick.faultReason = "check service failed"
        let decision = engine.step(local: sick, peers: [], now: ms(901))
        #expect(decision.role == .fault)
        #expect(!decision.intents.contains { if case .claim = $0 { true } else { false } })
    }

    @Test func retryDoesNotClaimOverALiveHolder() {
        // The key went, but another peer already holds (and is heard): this node stays standby.
        var engine = failedTakeover()
        let retry = engine.claimMayRetry()
        #expect(retry)
        let decision = engine.step(local: healthy, peers: [peer("web3", .holder, heardAt: 890, term: 3)], now: ms(901))
        #expect(decision.role == .standby)
        #expect(!decision.intents.contains { if case .claim = $0 { true } else { false } })
    }

    @Test func nodeMachinePassesTheRetryToTheGroup() {
        let config = NodeMachineTests().config("web2", peer: "web1", priority: 100)
        var machine = NodeMachine(config: config, secret: NodeMachineTests.secret, bootID: 1, now: .zero)
        let early = machine.claimMayRetry(group: "web")
        let unknown = machine.claimMayRetry(group: "nope")
        #expect(!early && !unknown)
        _ = machine.tick(now: ms(400))
        #expect(machine.engine("web")?.role == .holder)
        _ = machine.claimFinished(group: "web", epoch: 1, error: "etcd key held by web1", now: ms(401))
        #expect(machine.engine("web")?.role == .fault)
        let retry = machine.claimMayRetry(group: "web")
        #expect(retry)
        let output = machine.tick(now: ms(402))
        #expect(machine.engine("web")?.role == .holder)
        #expect(output.actions.contains(GroupAction(group: "web", intent: .claim(epoch: 2))))
    }
}
