import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

@testable import FloatIPBGP

/// The codec against a real BIRD 2 in a namespace: a test connection (what a floatip node will say)
/// opens a session, announces IPv4 and IPv6 routes, withdraws them and shuts down, and BIRD shows
/// each step in `birdc`. Every message BIRD sends is decoded and encoded again to the same bytes
/// (golden bytes from the router itself).
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct BIRDSessionTests {
    @Test func aSessionWithBIRDAnnouncesWithdrawsAndShutsDown() throws {
        guard BIRDRouter.available(for: "the BGP codec against BIRD") else { return }
        let lab = try BGPLab()
        let bird = try lab.bird()
        let session = try BGPTestConnection(namespace: lab.node, to: BGPLab.routerAddress)

        // OPEN both ways: BIRD's capabilities, our hold time (9 s) below BIRD's default 240 s wins.
        try session.send(.open(.floatip(asn: 65001, holdTime: 9, identifier: 0xC612_0502)))
        let open = try #require(try session.receive(), "BIRD sent no OPEN\n\(bird.log)")
        guard case .open(let theirs) = open else { Issue.record("BIRD's first message: \(open)"); return }
        #expect(theirs.asn == 65000 && theirs.identifier == 0xC612_0501, "\(theirs)")
        #expect(theirs.has(.multiprotocol(.ipv4Unicast)) && theirs.has(.multiprotocol(.ipv6Unicast)), "\(theirs)")
        #expect(theirs.has(.routeRefresh) && theirs.fourOctetAS == 65000, "\(theirs)")
        session.codec.fourOctetAS = true
        try session.send(.keepalive)
        #expect(try session.receive() == .keepalive, "BIRD confirms the OPEN\n\(bird.log)")

        // Established: announce a /32 and a /128.
        let address = IPAddress("198.18.0.100")!
        let address6 = IPAddress("2001:2::100")!
        try session.send(.update(BGPUpdate(
            attributes: [.origin(.igp), .asPath([.sequence([65001])]), .nextHop(IPAddress(BGPLab.nodeAddress)!),
                         .med(10), .communities([0xFDE9_0064])],
            announced: [IPPrefix(address: address, length: 32)])))
        try session.send(.update(BGPUpdate(attributes: [
            .origin(.igp), .asPath([.sequence([65001])]),
            .mpReach(.ipv6Unicast, nextHops: [IPAddress("2001:2:5::2")!], [IPPrefix(address: address6, length: 128)]),
        ])))
        let shown = try eventually(limit: .seconds(5)) { try !bird.route("198.18.0.100/32").isEmpty && !bird.route("2001:2::100/128").isEmpty }
        let route4 = try bird.route("198.18.0.100/32"), route6 = try bird.route("2001:2::100/128")
        #expect(shown, "BIRD has both routes\n\(route4)\n\(route6)\n\(bird.log)")
        #expect(route4.contains("via 198.18.5.2") && route4.contains("BGP.as_path: 65001"), "\(route4)")
        #expect(route4.contains("BGP.med: 10") && route4.contains("(65001,100)"), "\(route4)")
        #expect(route6.contains("via 2001:2:5::2"), "\(route6)")

        // Withdraw both: gone from BIRD.
        try session.send(.update(BGPUpdate(withdrawn: [IPPrefix(address: address, length: 32)])))
        try session.send(.update(BGPUpdate(attributes: [.mpUnreach(.ipv6Unicast, [IPPrefix(address: address6, length: 128)])])))
        let gone = try eventually(limit: .seconds(5)) { try bird.route("198.18.0.100/32").isEmpty && bird.route("2001:2::100/128").isEmpty }
        let table = try bird.birdc("show", "route")
        #expect(gone, "BIRD dropped both routes\n\(table)")

        // Cease / Administrative Shutdown with a message: BIRD reports it.
        try session.send(.notification(.administrativeShutdown("floatip test stopping")))
        let reported = try eventually(limit: .seconds(5)) {
            try bird.birdc("show", "protocols", "all", "floatip").contains("floatip test stopping")
        }
        let protocols = try bird.birdc("show", "protocols", "all", "floatip")
        #expect(reported, "BIRD shows the shutdown message\n\(protocols)")

        // Golden bytes: every message BIRD sent decodes and encodes to exactly the same bytes.
        let codec = BGPCodec(fourOctetAS: true)
        for bytes in session.received {
            #expect(codec.encode(try codec.decode(bytes)) == bytes, "BIRD's \(bytes)")
        }
        #expect(session.received.count >= 2)
    }

    /// A malformed UPDATE: BIRD answers with the NOTIFICATION the codec maps the same error to.
    @Test func birdAnswersAMalformedUpdateAsTheCodecWould() throws {
        guard BIRDRouter.available(for: "the BGP codec against BIRD") else { return }
        let lab = try BGPLab()
        let bird = try lab.bird()
        let session = try BGPTestConnection(namespace: lab.node, to: BGPLab.routerAddress)
        try session.send(.open(.floatip(asn: 65001, holdTime: 9, identifier: 0xC612_0502)))
        _ = try session.receive()
        session.codec.fourOctetAS = true
        try session.send(.keepalive)
        _ = try session.receive()
        // ORIGIN 7: invalid (RFC 4271 §6.3). RFC 7606 lets a router treat the route as withdrawn instead
        // of resetting; either way the codec's mapping names the error BIRD logs.
        let bad: [UInt8] = [UInt8](repeating: 0xFF, count: 16) + [0, 0x1B, 2, 0, 0, 0, 4, 0x40, 1, 1, 7]
        #expect(throws: BGPError.invalidOrigin(7)) { try session.codec.decode(bad) }
        try session.sendRaw(bad)
        let answer = try session.receiveSkippingKeepalives(limit: .seconds(2))
        // BIRD 2.0.12 resets with UPDATE error / malformed attribute list (3, 1) where RFC 4271 names
        // invalid ORIGIN (3, 6), which the codec sends: both are UPDATE errors that close the session.
        guard case .notification(let notification) = answer else {
            Issue.record("BIRD sent \(String(describing: answer)), not a NOTIFICATION\n\(bird.log)")
            return
        }
        #expect(notification.code == BGPError.invalidOrigin(7).notification.code, "\(notification)")
        #expect(bird.log.contains("Malformed ORIGIN attribute - invalid value (7)"), "\(bird.log)")
    }
}

/// Polls `condition` every 50 ms for up to `limit`.
func eventually(limit: Duration, _ condition: () throws -> Bool) throws -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}
