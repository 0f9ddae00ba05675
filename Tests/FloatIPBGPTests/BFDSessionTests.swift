import FloatIPCore
import Testing

@testable import FloatIPBGP

/// BFD control packets and the asynchronous-mode session machine (RFC 5880, single hop RFC 5881).
@Suite struct BFDSessionTests {
    func at(_ milliseconds: Int) -> Instant { .zero + .milliseconds(milliseconds) }
    let config = BFDSession.Config(discriminator: 0x1111, desiredMinTx: 100_000, requiredMinRx: 100_000, detectMultiplier: 3)

    func peer(_ state: BFDPacket.State, your: UInt32 = 0x1111, poll: Bool = false, final: Bool = false, tx: UInt32 = 100_000) -> [UInt8] {
        BFDPacket(state: state, poll: poll, final: final, detectMultiplier: 3, myDiscriminator: 0x2222, yourDiscriminator: your,
                  desiredMinTx: tx, requiredMinRx: 100_000).encode()
    }

    @Test func packetBytes() throws {
        let packet = BFDPacket(diagnostic: .detectionTimeExpired, state: .up, poll: true, detectMultiplier: 3,
                               myDiscriminator: 1, yourDiscriminator: 2, desiredMinTx: 100_000, requiredMinRx: 300_000)
        let bytes: [UInt8] = [0x21, 0xE0, 3, 24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0x86, 0xA0, 0, 4, 0x93, 0xE0, 0, 0, 0, 0]
        #expect(packet.encode() == bytes)
        #expect(try BFDPacket.decode(bytes) == packet)
    }

    @Test(arguments: [
        (Array([UInt8](repeating: 0, count: 10)), BFDError.truncated(10)),
        ([0x41, 0xC0, 3, 24] + [UInt8](repeating: 1, count: 20), .version(2)),
        ([0x20, 0xC0, 3, 30] + [UInt8](repeating: 1, count: 20), .length(30)),
        ([0x20, 0xC4, 3, 24] + [UInt8](repeating: 1, count: 20), .authentication),
        ([0x20, 0xC1, 3, 24] + [UInt8](repeating: 1, count: 20), .multipoint),
        ([0x20, 0xC0, 0, 24] + [UInt8](repeating: 1, count: 20), .zeroMultiplier),
        ([0x20, 0xC0, 3, 24, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 16), .zeroDiscriminator),
        ([0x20, 0xC0, 3, 24, 0, 0, 0, 1, 0, 0, 0, 0] + [UInt8](repeating: 1, count: 12), .noYourDiscriminator(.up)),
    ])
    func malformedPacketsAreDiscarded(bytes: [UInt8], error: BFDError) {
        #expect(throws: error) { try BFDPacket.decode(bytes) }
    }

    /// Down → Init → Up; 1 s between packets until up, 100 ms after; the peer's poll answered with F.
    @Test func threeWayHandshakeAndTimers() {
        var session = BFDSession(config: config)
        let first = session.start(now: at(0))
        #expect(first.first?.state == .down && first.first?.desiredMinTx == 1_000_000, "1 s until up (RFC 5880 §6.8.3)")
        #expect(session.tick(now: at(500), jitter: 1).packets.isEmpty)
        #expect(session.tick(now: at(1000), jitter: 1).packets.count == 1)
        let initialising = session.received(peer(.down, your: 0), hopLimit: 255, now: at(1100))
        #expect(session.state == .initializing && initialising.change == nil)
        let up = session.received(peer(.initializing), hopLimit: 255, now: at(1200))
        #expect(up.change == .up && session.state == .up)
        #expect(up.packets.last?.poll == true && up.packets.last?.desiredMinTx == 100_000, "a poll sequence announces 100 ms")
        let answer = session.received(peer(.up, poll: true), hopLimit: 255, now: at(1250))
        #expect(answer.packets == [session.packet(final: true)])
        _ = session.received(peer(.up, final: true), hopLimit: 255, now: at(1260))
        #expect(session.packet().poll == false, "the peer's F ends the poll")
        #expect(session.detectionTime == .milliseconds(300))
    }

    @Test func detectionTimeExpiryAndTheNeighboursDown() {
        var session = BFDSession(config: config)
        _ = session.start(now: at(0))
        _ = session.received(peer(.initializing), hopLimit: 255, now: at(10))
        #expect(session.state == .up)
        _ = session.received(peer(.up), hopLimit: 255, now: at(100))
        #expect(session.tick(now: at(399), jitter: 1).change == nil)
        #expect(session.tick(now: at(400), jitter: 1).change == .down(.detectionTimeExpired))
        #expect(session.packet().diagnostic == .detectionTimeExpired && session.packet().yourDiscriminator == 0)
        _ = session.received(peer(.initializing), hopLimit: 255, now: at(500))
        #expect(session.state == .up)
        #expect(session.received(peer(.down), hopLimit: 255, now: at(600)).change == .down(.neighborDown))
    }

    /// RFC 5881: TTL 255 only; a packet for another discriminator is not ours.
    @Test func packetsFromAfarOrForOthersAreCounted() {
        var session = BFDSession(config: config)
        _ = session.start(now: at(0))
        #expect(session.received(peer(.down, your: 0), hopLimit: 254, now: at(1)).change == nil)
        #expect(session.received(peer(.up, your: 0x9999), hopLimit: 255, now: at(2)).change == nil)
        #expect(session.state == .down && session.discarded.values.reduce(0, +) == 2, "\(session.discarded)")
    }
}
