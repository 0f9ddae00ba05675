import Testing

@testable import FloatIPCore

/// The attack of issue "recorded heartbeats from an earlier boot": an attacker records the better-
/// ranked holder's datagrams, the holder restarts and later dies, and the attacker replays the
/// recording to make the new holder release. Boot ids only grow, so every earlier-boot datagram
/// is refused, however long the peer has been silent and across the receiver's own restart.
@Suite struct NodeMachineReplayTests {
    let base = NodeMachineTests()

    /// Runs web1 and web2 together from `start` for `duration`, delivering every datagram at once;
    /// returns the datagrams web1 sent, and the time reached.
    @discardableResult
    func exchange(
        _ web1: inout NodeMachine, _ web2: inout NodeMachine, from start: Instant, for duration: Duration,
        web1Alive: Bool = true
    ) -> (sent: [[UInt8]], now: Instant) {
        var sent: [[UInt8]] = []
        var now = start
        while now <= start + duration {
            if web1Alive {
                let out1 = web1.tick(now: now)
                if let datagram = out1.datagram {
                    sent.append(datagram)
                    _ = web2.receive(datagram, now: now)
                }
                for case .claim(let epoch) in out1.actions.map(\.intent) {
                    _ = web1.claimFinished(group: "web", epoch: epoch, error: nil, now: now)
                }
            }
            let out2 = web2.tick(now: now)
            if let datagram = out2.datagram, web1Alive { _ = web1.receive(datagram, now: now) }
            for case .claim(let epoch) in out2.actions.map(\.intent) {
                _ = web2.claimFinished(group: "web", epoch: epoch, error: nil, now: now)
            }
            now = now + .milliseconds(20)
        }
        return (sent, now)
    }

    func web1(boot: UInt64, at now: Instant) -> NodeMachine {
        NodeMachine(config: base.config("web1", peer: "web2", priority: 200), secret: NodeMachineTests.secret,
                    bootID: boot, now: now)
    }

    @Test func anEarlierBootsRecordingNeverMakesTheHolderRelease() throws {
        var web1 = web1(boot: 1_000, at: .zero)
        var web2 = NodeMachine(config: base.config("web2", peer: "web1", priority: 100),
                               secret: NodeMachineTests.secret, bootID: 1_000, now: .zero)
        let first = exchange(&web1, &web2, from: .zero, for: .seconds(1))
        #expect(web1.engine("web")?.role == .holder)
        let recording = try #require(first.sent.last, "web1's heartbeat saying it holds, recorded")

        // web1 restarts (a higher boot id), is heard, then dies; web2 takes over.
        web1 = self.web1(boot: 2_000, at: first.now)
        let second = exchange(&web1, &web2, from: first.now, for: .seconds(2))
        #expect(web2.engine("web")?.role == .standby)
        let third = exchange(&web1, &web2, from: second.now, for: .seconds(2), web1Alive: false)
        #expect(web2.engine("web")?.role == .holder)

        // Long after (the old stale-boot grace was max(60 s, 10 dead intervals)), the replay.
        var now = third.now + .seconds(120)
        _ = web2.tick(now: now)
        for _ in 0..<20 {
            let output = web2.receive(recording, now: now)
            #expect(output.actions.allSatisfy { if case .release = $0.intent { false } else { true } })
            #expect(output.refusedBoot == RefusedBoot(peer: "web1", bootID: 1_000, known: 2_000), "for the log")
            now = now + .milliseconds(300)
            _ = web2.tick(now: now)
        }
        #expect(web2.engine("web")?.role == .holder, "\(web2.engine("web")?.reason ?? "")")
        #expect(web2.counters.rejected["stale_boot"] == 20)
    }

    @Test func aRestartedNodeRefusesEarlierBootsFromItsFirstDatagram() throws {
        var web1 = web1(boot: 1_000, at: .zero)
        var web2 = NodeMachine(config: base.config("web2", peer: "web1", priority: 100),
                               secret: NodeMachineTests.secret, bootID: 1_000, now: .zero)
        let first = exchange(&web1, &web2, from: .zero, for: .seconds(1))
        let recording = try #require(first.sent.last)
        web1 = self.web1(boot: 2_000, at: first.now)
        var remembered: [String: UInt64] = [:]
        var now = first.now
        for _ in 0..<5 {
            let out1 = web1.tick(now: now)
            if let datagram = out1.datagram {
                remembered.merge(web2.receive(datagram, now: now).peerBoots) { $1 }
            }
            now = now + .milliseconds(20)
        }
        #expect(remembered == ["web1": 2_000], "the new boot is handed to the shell to remember")

        // web2 restarts with what it remembered; the recording from web1's first boot arrives first.
        var restarted = NodeMachine(config: base.config("web2", peer: "web1", priority: 100),
                                    secret: NodeMachineTests.secret, bootID: 3_000, now: now, peerBoots: remembered)
        let output = restarted.receive(recording, now: now)
        #expect(output.peerBoots.isEmpty && restarted.peers["web1"]?.heartbeat == nil)
        #expect(restarted.counters.rejected == ["stale_boot": 1])
        // Without the memory the same datagram is taken (the first datagram of a peer starts its state).
        var forgetful = NodeMachine(config: base.config("web2", peer: "web1", priority: 100),
                                    secret: NodeMachineTests.secret, bootID: 3_000, now: now)
        #expect(forgetful.receive(recording, now: now).peerBoots == ["web1": 1_000])
    }
}
