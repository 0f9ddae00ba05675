import FloatIPCore
import Testing

@testable import FloatIPBGP

/// The session machine on its own: time and bytes in, actions out.
@Suite struct BGPSessionTests {
    static let config = BGPSessionConfig(localASN: 65001, peerASN: 65000, routerID: 0xC612_0502, holdTime: 9)
    let peer = BGPCodec(fourOctetAS: true)
    let route = BGPRoute(prefix: IPPrefix(address: IPAddress("198.18.0.100")!, length: 32), nextHops: [IPAddress("198.18.5.2")!])

    func at(_ seconds: Double) -> Instant { .zero + .milliseconds(Int(seconds * 1000)) }

    func sent(_ actions: [BGPSession.Action]) throws -> [BGPMessage] {
        try actions.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }.map { try BGPCodec(fourOctetAS: true).decode($0) }
    }

    /// Idle → Connect → OpenSent → OpenConfirm → Established; the hold time is the smaller offer.
    func established(peerHold: UInt16 = 90) throws -> BGPSession {
        var session = BGPSession(config: Self.config)
        #expect(session.start(now: at(0)) == [.connect])
        let open = try sent(session.connected(now: at(0.01)))
        #expect(open == [.open(.floatip(asn: 65001, holdTime: 9, identifier: 0xC612_0502))])
        let theirs = BGPOpen.floatip(asn: 65000, holdTime: peerHold, identifier: 0xC612_0501)
        #expect(try sent(session.received(peer.encode(.open(theirs)), now: at(0.02))) == [.keepalive])
        #expect(session.state == .openConfirm)
        let up = session.received(peer.encode(.keepalive), now: at(0.03))
        #expect(up.first == .event(.established(holdTime: min(9, peerHold))))
        #expect(session.state == .established)
        return session
    }

    @Test func opensAndKeepsTheSessionAlive() throws {
        var session = try established()
        #expect(session.negotiatedHoldTime == 9)
        // KEEPALIVE every third of the hold time; the peer's messages restart the hold timer.
        #expect(try sent(session.tick(now: at(3.02))) == [.keepalive])
        _ = session.received(peer.encode(.keepalive), now: at(5))
        #expect(try sent(session.tick(now: at(6.02))) == [.keepalive])
        #expect(session.state == .established)
        // Nothing from the peer for the hold time: NOTIFICATION 4 (hold timer expired), down, retry in 1 s.
        let expired = session.tick(now: at(14))
        #expect(try sent(expired) == [.notification(BGPNotification(code: 4, subcode: 0))])
        #expect(expired.contains(.close) && session.state == .idle)
        #expect(expired.last == .event(.down(reason: "hold timer expired (9 s without a message)", retryAt: at(15))))
        #expect(session.tick(now: at(15)) == [.connect])
    }

    /// Routes are announced once established, withdrawn when no longer wanted, and sent again after
    /// a ROUTE-REFRESH; the peer's own routes are counted and ignored.
    @Test func advertisesTheDifference() throws {
        var session = BGPSession(config: Self.config)
        #expect(session.advertise([route]).isEmpty, "nothing is sent before the session is up")
        _ = session.start(now: at(0))
        _ = session.connected(now: at(0))
        _ = session.received(peer.encode(.open(.floatip(asn: 65000, holdTime: 9, identifier: 1))), now: at(0))
        let up = try sent(session.received(peer.encode(.keepalive), now: at(0)))
        #expect(up == [.update(route.update(localASN: 65001, isInternal: false))])
        #expect(session.advertise([route]).isEmpty, "no change, nothing sent")
        // New attributes (a planned move's worse MED): announced again, never withdrawn in between.
        var worse = route
        worse.med = 500
        #expect(try sent(session.advertise([worse])) == [.update(worse.update(localASN: 65001, isInternal: false))])
        #expect(try sent(session.advertise([])) == [.update(BGPUpdate(withdrawn: [route.prefix]))])
        _ = session.advertise([route])
        #expect(try sent(session.received(peer.encode(.routeRefresh(.ipv4Unicast)), now: at(1))) == [.update(route.update(localASN: 65001, isInternal: false))])
        let theirs = BGPUpdate(attributes: [.origin(.igp), .asPath([.sequence([65000])]), .nextHop(IPAddress("198.18.5.1")!)],
                               announced: [IPPrefix(address: IPAddress("198.18.9.0")!, length: 24)])
        #expect(session.received(peer.encode(.update(theirs)), now: at(1)).isEmpty && session.peerRoutesIgnored == 1)
    }

    @Test func anIPv6RouteGoesInMPReachAndIBGPCarriesLocalPref() throws {
        let v6 = BGPRoute(prefix: IPPrefix(address: IPAddress("2001:2::100")!, length: 128),
                          nextHops: [IPAddress("2001:2:5::2")!, IPAddress("fe80::2")!], med: 50, localPreference: 300)
        let update = v6.update(localASN: 65001, isInternal: true)
        #expect(update.announced.isEmpty && update.allAnnounced == [v6.prefix])
        #expect(update.attribute(2) == .asPath([]) && update.attribute(5) == .localPref(300) && update.attribute(4) == .med(50))
        #expect(route.update(localASN: 65001, isInternal: false).attribute(5) == nil, "no LOCAL_PREF on eBGP")
    }

    /// A wrong peer AS: NOTIFICATION 2/2, a reason naming both numbers, and a retry that backs off.
    @Test func aWrongPeerASIsRefusedAndRetriedWithBackoff() throws {
        var session = BGPSession(config: Self.config)
        var retries: [Instant?] = []
        var now = at(0)
        for _ in 0..<6 {
            _ = session.start(now: now)
            _ = session.tick(now: now)
            _ = session.connected(now: now)
            let actions = session.received(peer.encode(.open(.floatip(asn: 65099, holdTime: 9, identifier: 1))), now: now)
            #expect(try sent(actions) == [.notification(BGPNotification(code: 2, subcode: 2))])
            guard case .event(.down(let reason, let retryAt)) = actions.last else { Issue.record("\(actions)"); return }
            #expect(reason == "OPEN: the peer says it is AS 65099, the config says AS 65000")
            retries.append(retryAt)
            now = retryAt ?? now
        }
        #expect(zip(retries, retries.dropFirst()).map { $1! - $0! } == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30)])
        // `start` during the backoff connects at once, and the pending retry no longer counts.
        #expect(session.start(now: now - .seconds(1)) == [.connect])
        #expect(session.nextDeadline == now - .seconds(1) + Self.config.openTimeout)
    }

    /// Garbage, a message out of order, a bad hold time: the right NOTIFICATION and a reset.
    @Test(arguments: [
        ([UInt8](repeating: 0, count: 19), BGPNotification(code: 1, subcode: 1)),
        (BGPCodec().encode(.keepalive), BGPNotification(code: 5, subcode: 0)),
        (BGPCodec().encode(.open(BGPOpen(asn: 65000, holdTime: 1, identifier: 1, capabilities: []))), BGPNotification(code: 2, subcode: 6)),
    ])
    func badInputInOpenSentResets(bytes: [UInt8], notification: BGPNotification) throws {
        var session = BGPSession(config: Self.config)
        _ = session.start(now: at(0))
        _ = session.connected(now: at(0))
        let actions = session.received(bytes, now: at(0))
        #expect(try sent(actions) == [.notification(notification)])
        #expect(actions.contains(.close) && session.state == .idle)
    }

    /// `stop`: Cease / Administrative Shutdown with the message, close, and no retry.
    @Test func stopSendsTheShutdownMessageAndStaysDown() throws {
        var session = try established()
        let actions = session.stop(message: "floatip agent stopping", now: at(1))
        #expect(try sent(actions) == [.notification(.administrativeShutdown("floatip agent stopping"))])
        #expect(actions.suffix(2) == [.close, .event(.down(reason: "stopped: floatip agent stopping", retryAt: nil))])
        #expect(session.nextDeadline == nil && session.tick(now: at(100)).isEmpty)
    }

    /// The peer's NOTIFICATION ends the session; no OPEN within the open timeout ends the attempt.
    @Test func thePeersNotificationAndASilentPeerEndTheSession() throws {
        var session = try established()
        let actions = session.received(peer.encode(.notification(.administrativeShutdown("maintenance"))), now: at(2))
        #expect(actions.last == .event(.down(reason: "the peer sent a NOTIFICATION: cease, administrative shutdown: \"maintenance\"", retryAt: at(3))))
        #expect(session.tick(now: at(3)) == [.connect])
        _ = session.connected(now: at(3))
        let silent = session.tick(now: at(13))
        guard case .event(.down(let reason, _)) = silent.last else { Issue.record("\(silent)"); return }
        #expect(reason == "no OPEN within 10 s", "\(reason)")
        #expect(session.tick(now: at(15)) == [.connect], "the second failure in a row waits 2 s")
        let refused = session.tick(now: at(25))
        #expect(refused == [.close, .event(.down(reason: "no connection within 10 s", retryAt: at(29)))], "no NOTIFICATION without a connection")
    }
}
