import FloatIPBGP
import FloatIPCore
import FloatIPLinux
import FloatIPTestSupport
import Foundation
import Testing

/// The speaker's shell with two routers: a real BIRD, and a "router" that answers with garbage. The
/// bad one's session is reset with a log line naming it and the problem, again and again; the good
/// one's stays established with the route in.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && BIRDRouter.available(for: "the BGP speaker tests"), .namespaces))
struct BGPSpeakerTests {
    @Test func aPeerSendingGarbageLeavesTheOtherPeerAlone() async throws {
        guard ExternalTool.find("socat", for: "a peer that sends garbage", package: "socat") != nil else { return }
        let lab = try BGPLab()
        let bird = try lab.bird()
        defer { bird.end() }
        try lab.network.ip(lab.router, "addr", "add", "198.18.5.3/24", "dev", "eth0")
        let garbage = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", ExternalTool.path(of: "socat") ?? "socat",
             "TCP-LISTEN:1179,bind=198.18.5.3,reuseaddr,fork", "SYSTEM:echo this-is-not-bgp-this-is-not-bgp; sleep 5"],
            namespace: lab.router, log: FileManager.default.temporaryDirectory.appendingPathComponent("garbage-\(UUID()).log").path)
        defer { ServerProcess.end(garbage) }
        let log = LogCapture()
        let config = { (asn: UInt32) in BGPSessionConfig(localASN: 65001, peerASN: asn, routerID: 0xC612_0502, holdTime: 9) }
        let good = BGPPeerSettings(address: IPAddress(BGPLab.routerAddress)!, asn: 65000)
        // On a port of its own: BIRD listens on 179 on every address of the router's namespace.
        let bad = BGPPeerSettings(address: IPAddress("198.18.5.3")!, asn: 65000, port: 1179)
        let speaker = try BGPSpeaker(
            peers: [BGPSpeaker.Peer(settings: good, session: config(65000)), BGPSpeaker.Peer(settings: bad, session: config(65000))],
            namespace: lab.node, logger: log.logger)
        let route = BGPRoute(prefix: IPPrefix(address: IPAddress("198.18.0.100")!, length: 32), nextHops: [IPAddress(BGPLab.nodeAddress)!])
        await speaker.advertise([route], for: "web", to: [0, 1])
        let clock = ContinuousClock()
        let end = clock.now + .seconds(8)
        var resets = 0
        while clock.now < end {
            resets = log.messages.filter { $0.hasPrefix("bgp: session with 198.18.5.3 port 1179 (AS 65000) down: message header") }.count
            if resets >= 2, !(try bird.route("198.18.0.100/32")).isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(resets >= 2, "the bad peer's session is reset each time, named\n\(log.messages.joined(separator: "\n"))")
        #expect(!(try bird.route("198.18.0.100/32")).isEmpty, "the good peer has the route\n\(bird.log)")
        #expect(speaker.statuses.first?.state == "established" && speaker.statuses.first?.announced.count == 1, "\(speaker.statuses)")
        #expect(log.messages.filter { $0.contains("198.18.5.1") && $0.contains("down") }.isEmpty, "\(log.messages)")
        await speaker.stop(message: "test over")
        var gone = false
        for _ in 0..<100 {
            gone = try bird.route("198.18.0.100/32").isEmpty
            if gone { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(gone, "stop ends the session (Cease): BIRD drops the route")
    }
}

/// A claim that no router hears fails (bounded), names the sessions, and leaves nothing on `lo`: the
/// engine then counts the mover as failing, and another node takes the group (docs/bgp.md).
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct BGPMoverClaimTests {
    @Test func aClaimWithoutASessionFailsAndLeavesNothing() async throws {
        let lab = try BGPLab()
        let peer = BGPPeerSettings(address: IPAddress(BGPLab.routerAddress)!, asn: 65000)
        let settings = BGPMoverSettings(
            localASN: 65001, routerID: IPAddress(BGPLab.nodeAddress)!, peers: [peer], nextHops: [IPAddress(BGPLab.nodeAddress)!])
        let speaker = try BGPSpeaker(peers: [BGPSpeaker.Peer(settings: peer, session: settings.session(peer))], namespace: lab.node, logger: .silent)
        let mover = try BGPMover(speaker: speaker, settings: settings, namespace: lab.node, sessionWait: .milliseconds(500))
        let group = GroupConfig(
            name: "web", addresses: [IPPrefix(address: IPAddress("198.18.100.100")!, length: 32)], interface: nil, priority: 100)
        let started = ContinuousClock.now
        await #expect {
            try await mover.claim(group, epoch: 1)
        } throws: { error in
            "\(error)".hasPrefix("group web: no BGP session with a router is up to announce it (198.18.5.1 (AS 65000): ")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(try !lab.network.ip(lab.node, "addr", "show", "dev", "lo").contains("198.18.100.100"), "nothing left on lo")
        #expect(try await mover.holder(of: group) == .none)
        await speaker.stop(message: "test over")
    }
}
