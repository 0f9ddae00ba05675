import Testing

@testable import FloatIPCore

/// `NodeMachine.reconfigure`: a reload keeps what did not change (no transition), starts what was
/// added, and rotates a new secret in while peers still sign with the old one.
@Suite struct NodeMachineReloadTests {
    static let old = Array("node machine test secret".utf8)
    static let new = Array("the rotated secret, 0123456789".utf8)
    static let api = IPPrefix(address: .ipv4(198, 18, 0, 101), length: 32)

    func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }

    func config(_ name: String, peer: String, priority: Int, groups extra: [GroupConfig] = []) -> ClusterConfig {
        var config = NodeMachineTests().config(name, peer: peer, priority: priority)
        config.groups += extra
        return config
    }

    /// Runs both nodes for `span` from `start` (heartbeats delivered at once, claims succeeding) and
    /// returns the transitions each saw.
    func run(
        _ web1: inout NodeMachine, _ web2: inout NodeMachine, from start: Instant, for span: Duration
    ) -> (web1: [Transition], web2: [Transition]) {
        var seen: ([Transition], [Transition]) = ([], [])
        var now = start
        while now <= start + span {
            let out1 = web1.tick(now: now)
            let out2 = web2.tick(now: now)
            seen.0 += out1.transitions
            seen.1 += out2.transitions
            for datagram in [out1.datagram, out1.previousDatagram].compactMap({ $0 }) {
                seen.1 += web2.receive(datagram, now: now).transitions
            }
            for datagram in [out2.datagram, out2.previousDatagram].compactMap({ $0 }) {
                seen.0 += web1.receive(datagram, now: now).transitions
            }
            for (machine, output) in [(0, out1), (1, out2)] {
                for action in output.actions {
                    guard case .claim(let epoch) = action.intent else { continue }
                    if machine == 0 {
                        _ = web1.claimFinished(group: action.group, epoch: epoch, error: nil, now: now)
                    } else {
                        _ = web2.claimFinished(group: action.group, epoch: epoch, error: nil, now: now)
                    }
                }
            }
            now = now + .milliseconds(20)
        }
        return seen
    }

    func settledPair() -> (NodeMachine, NodeMachine) {
        var web1 = NodeMachine(config: config("web1", peer: "web2", priority: 200), secret: Self.old, bootID: 1, now: .zero)
        var web2 = NodeMachine(config: config("web2", peer: "web1", priority: 100), secret: Self.old, bootID: 1, now: .zero)
        _ = run(&web1, &web2, from: .zero, for: .milliseconds(600))
        return (web1, web2)
    }

    @Test func anAddedGroupIsClaimedAndTheOthersSeeNoTransition() {
        var (web1, web2) = settledPair()
        #expect(web1.engine("web")?.role == .holder)
        let group = GroupConfig(name: "api", addresses: [Self.api], interface: "eth0", priority: 100)
        var other = group
        other.priority = 200
        web1.reconfigure(config("web1", peer: "web2", priority: 200, groups: [group]), now: ms(620))
        web2.reconfigure(config("web2", peer: "web1", priority: 100, groups: [other]), now: ms(620))
        web1.setCondition(LocalCondition(priority: 100), group: "api")
        web2.setCondition(LocalCondition(priority: 200), group: "api")
        let seen = run(&web1, &web2, from: ms(640), for: .seconds(1))
        #expect(web2.engine("api")?.role == .holder, "the better-ranked node claims the new group")
        #expect(web1.engine("api")?.role == .standby)
        #expect(seen.web1.allSatisfy { $0.group == "api" } && seen.web2.allSatisfy { $0.group == "api" }, "\(seen)")
        #expect(web1.engine("web")?.role == .holder && web1.engine("web")?.term == 1, "the kept group kept its claim")
    }

    @Test func aRemovedGroupIsForgotten() {
        var (web1, _) = settledPair()
        var config = config("web1", peer: "web2", priority: 200)
        config.groups = []
        web1.reconfigure(config, now: ms(620))
        #expect(web1.engines.isEmpty)
        #expect(web1.tick(now: ms(640)).heartbeat?.groups.isEmpty == true)
    }

    @Test func aPeerAddedByReloadIsHeardAndARemovedOneIsNot() throws {
        var (web1, _) = settledPair()
        var web3 = NodeMachine(config: config("web3", peer: "web1", priority: 50), secret: Self.old, bootID: 1, now: .zero)
        _ = web1.receive(try #require(web3.tick(now: ms(600)).datagram), now: ms(600))
        #expect(web1.counters.rejected["unknown_peer"] == 1)
        var added = config("web1", peer: "web2", priority: 200)
        added.peers.append(PeerConfig(name: "web3", address: .ipv4(198, 18, 0, 3)))
        web1.reconfigure(added, now: ms(620))
        _ = web1.receive(try #require(web3.tick(now: ms(640)).datagram), now: ms(640))
        #expect(web1.peers["web3"]?.heardAt == ms(640), "heard once it is a peer")
        #expect(web1.peerViews("web").map(\.name) == ["web2", "web3"])
        var removed = added
        removed.peers.removeFirst()
        web1.reconfigure(removed, now: ms(660))
        #expect(web1.peers["web2"] == nil && web1.peerViews("web").map(\.name) == ["web3"])
        #expect(web1.engine("web")?.role == .holder, "the group kept its role through both")
    }

    @Test func aNewSecretIsRotatedInWhileThePeerStillSignsWithTheOld() throws {
        var (web1, web2) = settledPair()
        web1.reconfigure(config("web1", peer: "web2", priority: 200), secret: Self.new, secretGrace: .seconds(60), now: ms(620))
        // web1 signs with the new secret and sends a copy signed with the old: web2, not reloaded yet, keeps hearing it.
        var seen = run(&web1, &web2, from: ms(640), for: .seconds(1))
        #expect(seen.web1.isEmpty && seen.web2.isEmpty, "no transition: \(seen)")
        #expect(web2.counters.rejected["bad_auth", default: 0] > 0, "web2 refuses the new signature")
        #expect(web1.secretRotation != nil, "web2 has not signed with the new secret yet")
        // web2 reloads too: once web1 hears the new secret from it, the old one is dropped.
        web2.reconfigure(config("web2", peer: "web1", priority: 100), secret: Self.new, secretGrace: .seconds(60), now: ms(1700))
        seen = run(&web1, &web2, from: ms(1720), for: .seconds(1))
        #expect(seen.web1.isEmpty && seen.web2.isEmpty, "no transition: \(seen)")
        #expect(web1.secretRotation == nil && web2.secretRotation == nil)
        let old = NodeMachine(config: config("web2", peer: "web1", priority: 100), secret: Self.old, bootID: 7, now: .zero)
        var stale = old
        let datagram = try #require(stale.tick(now: ms(2800)).datagram)
        let before = web1.counters.rejected["bad_auth", default: 0]
        _ = web1.receive(datagram, now: ms(2800))
        #expect(web1.counters.rejected["bad_auth", default: 0] == before + 1, "the old secret is no longer accepted")
    }

    @Test func theOldSecretExpiresAfterItsGrace() {
        var (web1, _) = settledPair()
        web1.reconfigure(config("web1", peer: "web2", priority: 200), secret: Self.new, secretGrace: .seconds(2), now: ms(620))
        #expect(web1.nextWakeup(now: ms(620)) <= ms(2620))
        let output = web1.tick(now: ms(2620))
        #expect(output.secretRotation == .expired(notHeard: ["web2"]))
        #expect(web1.secretRotation == nil)
    }
}
