import Testing
@testable import FloatIPCore

@Suite struct WitnessCodecTests {
    let secret = Array("correct horse battery staple".utf8)
    var codec: WitnessCodec { WitnessCodec(secret: secret, cluster: "lab") }
    let nonce: [UInt8] = Array(0..<16)
    var probe: WitnessMessage { WitnessMessage(kind: .probe, nonce: nonce, cluster: "lab", node: "node-a") }

    @Test func roundTrip() throws {
        let bytes = try codec.encode(probe)
        #expect(bytes.count == 20 + 4 + 7 + 32)
        #expect(try codec.decode(bytes) == probe)
        let answer = try codec.encode(probe.answer)
        #expect(answer.count == bytes.count, "an answer is no larger than the probe: no amplification")
        #expect(try codec.decode(answer) == probe.answer)
        #expect(throws: Never.self) { try codec.acceptAnswer(answer, to: probe) }
    }

    /// The bytes of docs/protocol.md ("Witness", "Golden bytes"); the MAC was computed independently (Python's
    /// `hmac` and `hashlib`, HKDF written out from RFC 5869; derived key
    /// bab52dcbec23ade1c381fd62801f9a75200b330caeb90074beda31bd614da95a).
    @Test func goldenProbe() throws {
        let golden: [UInt8] = [
            0x46, 0x57, 0x01, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
            0x0c, 0x0d, 0x0e, 0x0f, 0x03, 0x6c, 0x61, 0x62, 0x06, 0x6e, 0x6f, 0x64, 0x65, 0x2d, 0x61, 0x67,
            0xe2, 0x84, 0xf2, 0xc5, 0x70, 0xc0, 0xd5, 0x6c, 0xaa, 0x34, 0x98, 0xec, 0xaf, 0xcd, 0x02, 0xf5,
            0x43, 0xe3, 0x67, 0x79, 0x50, 0x3c, 0x35, 0xed, 0xae, 0x42, 0xd0, 0xa5, 0x78, 0x7c, 0x61,
        ]
        #expect(try codec.encode(probe) == golden)
        #expect(try codec.decode(golden) == probe)
    }

    /// The key is bound to the secret and the cluster name, and kept apart from the heartbeat key.
    @Test func wrongKeyOrClusterIsRejected() throws {
        let answer = try codec.encode(probe.answer)
        let otherSecret = WitnessCodec(secret: Array("another secret of sixteen bytes".utf8), cluster: "lab")
        #expect(throws: WireError.badAuthentication) { try otherSecret.decode(answer) }
        #expect(throws: WitnessAnswerError.malformed(.badAuthentication)) { try otherSecret.acceptAnswer(answer, to: probe) }
        let otherCluster = WitnessCodec(secret: secret, cluster: "lab2")
        #expect(throws: WireError.badAuthentication) { try otherCluster.decode(answer) }
        // A heartbeat-keyed MAC over the same bytes does not pass: the salts differ.
        let heartbeatKeyed = Array(answer.dropLast(32)) + HeartbeatCodec(secret: secret, cluster: "lab").mac(of: answer.dropLast(32))
        #expect(throws: WireError.badAuthentication) { try codec.decode(heartbeatKeyed) }
    }

    /// An old answer (another nonce), the probe reflected back, or another node's answer is not this probe's answer.
    @Test func replayedReflectedOrForeignAnswersAreRejected() throws {
        let old = WitnessMessage(kind: .answer, nonce: Array(repeating: 7, count: 16), cluster: "lab", node: "node-a")
        #expect(throws: WitnessAnswerError.otherNonce) { try codec.acceptAnswer(try codec.encode(old), to: probe) }
        #expect(throws: WitnessAnswerError.notAnAnswer) { try codec.acceptAnswer(try codec.encode(probe), to: probe) }
        var other = probe.answer
        other.node = "node-b"
        #expect(throws: WitnessAnswerError.otherNode("node-b")) { try codec.acceptAnswer(try codec.encode(other), to: probe) }
    }

    @Test func truncatedPaddedOrFlippedDatagramsAreTypedErrors() throws {
        let bytes = try codec.encode(probe.answer)
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try codec.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: WireError.tooShort(55)) { try codec.decode(Array(bytes.prefix(55))) }
        #expect(throws: WireError.badAuthentication) { try codec.decode(bytes + [0]) }
        #expect(throws: WireError.tooLarge(181)) { try codec.decode([UInt8](repeating: 0x46, count: 181)) }
        for index in bytes.indices {
            var flipped = bytes
            flipped[index] ^= 0x01
            #expect(throws: WireError.self) { try codec.decode(flipped) }
        }
        var version = bytes
        version[2] = 2
        #expect(throws: WireError.unsupportedVersion(2)) { try codec.decode(version) }
        var magic = bytes
        magic[1] = 0x50
        #expect(throws: WireError.badMagic) { try codec.decode(magic) }
    }

    /// Authentic but malformed bodies (signed by a key holder) still fail cleanly.
    @Test func authenticButMalformedBodies() throws {
        func signed(_ body: [UInt8]) -> [UInt8] { body + codec.mac(of: body[...]) }
        let header: [UInt8] = [0x46, 0x57, 0x01, 0x02] + nonce
        #expect(throws: WireError.unknownKind(9)) { try codec.decode(signed([0x46, 0x57, 0x01, 0x09] + nonce + [3] + Array("lab".utf8) + [1, 0x61])) }
        #expect(throws: WireError.truncated(field: "node")) { try codec.decode(signed(header + [3] + Array("lab".utf8) + [9, 0x61])) }
        #expect(throws: WireError.invalidName(field: "node")) { try codec.decode(signed(header + [3] + Array("lab".utf8) + [1, 0x20])) }
        #expect(throws: WireError.trailingBytes(1)) { try codec.decode(signed(header + [3] + Array("lab".utf8) + [1, 0x61, 0])) }
        #expect(throws: WireError.wrongCluster("lax")) { try codec.decode(signed(header + [3] + Array("lax".utf8) + [1, 0x61])) }
    }

    @Test func encodeRefusesWhatADecoderWouldDrop() {
        var short = probe
        short.nonce = [1, 2, 3]
        #expect(throws: WireError.truncated(field: "nonce")) { try codec.encode(short) }
        var bad = probe
        bad.node = "no spaces"
        #expect(throws: WireError.invalidName(field: "node")) { try codec.encode(bad) }
        var foreign = probe
        foreign.cluster = "other"
        #expect(throws: WireError.wrongCluster("other")) { try codec.encode(foreign) }
    }

    /// Random bytes never crash the decoder.
    @Test func randomInputIsRejectedWithoutCrashing() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0...200, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if length > 2 && Bool.random(using: &generator) { bytes[0] = 0x46; bytes[1] = 0x57; bytes[2] = 1 }
            #expect(throws: WireError.self) { try codec.decode(bytes) }
        }
    }
}
