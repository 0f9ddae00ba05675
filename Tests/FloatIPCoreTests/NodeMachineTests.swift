import Testing

@testable import FloatIPCore

/// NodeMachine: two real nodes exchanging real datagrams, with time passed by hand.
@Suite struct NodeMachineTests {
    static let secret = Array("node machine test secret".utf8)
    static let timers = Timers(interval: .milliseconds(20), deadAfter: 15, preemptDelay: .seconds(1))

    func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }

    func config(_ name: String, peer: String, priority: Int) -> ClusterConfig {
        ClusterConfig(
            cluster: "web", node: NodeConfig(name: name, address: .ipv4(198, 18, 0, name == "web1" ? 1 : 2)),
            peers: [PeerConfig(name: peer, address: .ipv4(198, 18, 0, peer == "web1" ? 1 : 2))],
            secretFile: "/etc/floatip/secret", timers: Self.timers,
            groups: [GroupConfig(name: "web", addresses: [IPPrefix(address: .ipv4(198, 18, 0, 100), length: 32)], interface: "eth0", priority: priority)],
            checks: [], api: APIConfig())
    }

    func pair() -> (NodeMachine, NodeMachine) {
        (NodeMachine(config: config("web1", peer: "web2", priority: 200), secret: Self.secret, bootID: 1, now: .zero),
         NodeMachine(config: config("web2", peer: "web1", priority: 100), secret: Self.secret, bootID: 1, now: .zero))
    }

    @Test func firstTickSendsAHeartbeatAndSchedulesTheNext() throws {
        var (web1, _) = pair()
        let output = web1.tick(now: .zero)
        let datagram = try #require(output.datagram)
        #expect(output.heartbeat?.sequence == 1)
        #expect(output.heartbeat?.groups.first?.role == .starting)
        #expect(output.actions == [GroupAction(group: "web", intent: .release(epoch: 0))])
        #expect(datagram.count < HeartbeatCodec.maxDatagramSize)
        #expect(web1.nextWakeup(now: .zero) == ms(20))
        #expect(web1.tick(now: ms(10)).datagram == nil, "nothing changed and nothing is due")
        #expect(web1.tick(now: ms(20)).heartbeat?.sequence == 2)
    }

    @Test func twoNodesElectTheBetterRankedOne() throws {
        var (web1, web2) = pair()
        var now = Instant.zero
        // Exchange heartbeats every 20 ms for half a second, delivering each at once.
        while now <= ms(500) {
            let out1 = web1.tick(now: now)
            let out2 = web2.tick(now: now)
            if let datagram = out1.datagram { _ = web2.receive(datagram, now: now) }
            if let datagram = out2.datagram { _ = web1.receive(datagram, now: now) }
            for action in out1.actions where action.intent == .claim(epoch: 1) {
                _ = web1.claimFinished(group: "web", epoch: 1, error: nil, now: now)
            }
            now = now + .milliseconds(20)
        }
        #expect(web1.engine("web")?.role == .holder)
        #expect(web2.engine("web")?.role == .standby)
        #expect(web2.engine("web")?.reason == "web1 holds")
        #expect(web1.counters.rejected.isEmpty && web2.counters.rejected.isEmpty)
    }

    @Test func badDatagramsAreCountedAndChangeNothing() throws {
        var (web1, web2) = pair()
        let good = try #require(web2.tick(now: .zero).datagram)
        _ = web1.receive(good, now: ms(1))
        let before = web1.peerViews("web")
        var forged = good
        forged[forged.count / 2] ^= 0x01
        let outputs = [
            web1.receive([UInt8](repeating: 0, count: 10), now: ms(2)),
            web1.receive(forged, now: ms(3)),
            web1.receive(good, now: ms(4)),  // replayed
        ]
        #expect(outputs.allSatisfy { $0.datagram == nil && $0.actions.isEmpty && $0.transitions.isEmpty })
        #expect(web1.counters.rejected == ["too_short": 1, "bad_auth": 1, "replay": 1])
        #expect(web1.peerViews("web") == before)
    }

    @Test func strangersAndImpostorsAreRejected() throws {
        var (web1, _) = pair()
        var stranger = NodeMachine(config: config("web3", peer: "web1", priority: 50), secret: Self.secret, bootID: 1, now: .zero)
        _ = web1.receive(try #require(stranger.tick(now: .zero).datagram), now: ms(1))
        var twin = NodeMachine(config: config("web1", peer: "web2", priority: 50), secret: Self.secret, bootID: 9, now: .zero)
        _ = web1.receive(try #require(twin.tick(now: .zero).datagram), now: ms(2))
        #expect(web1.counters.rejected == ["unknown_peer": 1, "own_name": 1])
        #expect(web1.peerViews("web").isEmpty)
    }

    @Test func anOverTakenDatagramDoesNotRollStateBack() throws {
        var (web1, web2) = pair()
        let older = try #require(web2.tick(now: .zero).datagram)
        let newer = try #require(web2.tick(now: ms(20)).datagram)
        _ = web1.receive(newer, now: ms(21))
        _ = web1.receive(older, now: ms(22))
        #expect(web1.counters.rejected == ["reordered": 1])
        #expect(web1.peers["web2"]?.heartbeat?.sequence == 2)
        #expect(web1.peers["web2"]?.heardAt == ms(21))
    }

    @Test func aChangedAdvertIsSentAtOnce() throws {
        var (web1, _) = pair()
        _ = web1.tick(now: .zero)
        web1.setMaintenance(true)
        let output = web1.tick(now: ms(5))
        #expect(output.heartbeat?.groups.first?.maintenance == true, "sent before the next interval")
        #expect(output.heartbeat?.sequence == 2)
    }

    @Test func switchoverOfAnUnknownGroupIsRefused() {
        var (web1, _) = pair()
        #expect(throws: SwitchoverFailure.unknownGroup("db")) { try web1.switchover(group: "db", to: nil, now: .zero) }
    }
}
