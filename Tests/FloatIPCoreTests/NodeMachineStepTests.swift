import Testing

@testable import FloatIPCore

/// Heartbeats fall into step: a node answers a peer's heartbeat with its own when that is due
/// within half an interval, and only then (NodeMachine.heartbeatIfDue).
@Suite struct NodeMachineStepTests {
    let base = NodeMachineTests()
    func ms(_ value: Int64) -> Instant { base.ms(value) }

    /// web1 and web2 started `offset` ms apart, each having sent its first heartbeat.
    func started(offset: Int64) -> (web1: NodeMachine, web2: NodeMachine, first: [UInt8]) {
        var (web1, web2) = base.pair()
        web2 = NodeMachine(config: base.config("web2", peer: "web1", priority: 100), secret: NodeMachineTests.secret, bootID: 1, now: ms(offset))
        let first = web1.tick(now: .zero).datagram ?? []
        _ = web2.tick(now: ms(offset))
        return (web1, web2, first)
    }

    @Test func aHeartbeatDueWithinHalfAnIntervalGoesWithThePeers() throws {
        // web2's next heartbeat is due at 24 ms; web1's second arrives at 20 ms: 4 ms before (≤ 10 ms).
        var (web1, web2, _) = started(offset: 4)
        let second = try #require(web1.tick(now: ms(20)).datagram)
        let answer = web2.receive(second, now: ms(20))
        #expect(answer.heartbeat?.sequence == 2, "sent at once, with web1's")
        #expect(web2.nextWakeup(now: ms(20)) == ms(42), "next due 1.1 intervals later, after web1's next at 40 ms")
        // In step: web1's next heartbeat, 20 ms later, is answered at once again.
        let third = try #require(web1.tick(now: ms(40)).datagram)
        #expect(web2.receive(third, now: ms(40)).heartbeat?.sequence == 3)
        #expect(web2.tick(now: ms(42)).datagram == nil, "nothing left for web2's own timer")
    }

    @Test func oneDueLaterWaitsForItsOwnTime() throws {
        // web2's next heartbeat is due at 32 ms; web1's arrives at 20 ms: 12 ms before (> 10 ms).
        var (web1, web2, _) = started(offset: 12)
        let second = try #require(web1.tick(now: ms(20)).datagram)
        #expect(web2.receive(second, now: ms(20)).datagram == nil)
        #expect(web2.nextWakeup(now: ms(20)) <= ms(32))
        #expect(web2.tick(now: ms(32)).heartbeat?.sequence == 2)
    }

    @Test func theFollowerKeepsItsIntervalWhenTheLeaderFallsSilent() throws {
        var (web1, web2, _) = started(offset: 4)
        let second = try #require(web1.tick(now: ms(20)).datagram)
        _ = web2.receive(second, now: ms(20))
        // web1 says nothing more: web2's own timer takes over, 1.1 intervals after, then every 20 ms.
        #expect(web2.tick(now: ms(41)).datagram == nil)
        #expect(web2.tick(now: ms(42)).heartbeat?.sequence == 3)
        #expect(web2.tick(now: ms(62)).heartbeat?.sequence == 4)
    }
}
