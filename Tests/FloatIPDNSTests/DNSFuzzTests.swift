@testable import FloatIPDNS
import FloatIPCore
import FloatIPSimulator
import Testing

/// Random, truncated and bit-flipped bytes into the parser and the TSIG check: every input either
/// parses or throws a typed error; nothing traps. Seeded, so a failure replays.
@Suite struct DNSFuzzTests {
    /// A signed answer with a compressed name, as a server would send it.
    static func signedAnswer() throws -> (bytes: [UInt8], requestMAC: [UInt8]) {
        let query = DNSUpdate.query(id: 0x4242, name: name("vip.example.test"), type: .a)
        let (_, requestMAC) = try TSIG.sign(query, key: testKey, now: 1_700_000_000)
        var answer = query
        answer.isResponse = true
        answer.answers = [DNSRecord(name: name("vip.example.test"), address: address("198.18.0.1"), ttl: 60)]
        return (try TSIG.signAnswer(answer, requestMAC: requestMAC, key: testKey, now: 1_700_000_000), requestMAC)
    }

    @Test func everyTruncationThrowsTruncated() throws {
        let (bytes, _) = try Self.signedAnswer()
        for length in 0..<bytes.count {
            #expect(throws: DNSWireError.self) { try DNSMessage.parse(Array(bytes.prefix(length))) }
        }
        #expect(try DNSMessage.parse(bytes).tsigOffset != nil)
    }

    @Test func bitFlipsNeverCrashAndNeverVerify() throws {
        let (bytes, requestMAC) = try Self.signedAnswer()
        let original = try DNSMessage.parse(bytes).message
        var random = SplitMix64(seed: 8)
        var verified = 0
        var verifiedUnchanged = 0
        for _ in 0..<5_000 {
            var mutated = bytes
            let flips = Int.random(in: 1...3, using: &random)
            for _ in 0..<flips {
                let index = Int.random(in: 0..<mutated.count, using: &random)
                mutated[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            }
            guard mutated != bytes, let parsed = try? DNSMessage.parse(mutated) else { continue }
            guard (try? TSIG.verify(parsed, requestMAC: requestMAC, key: testKey, now: 1_700_000_000)) != nil else {
                continue
            }
            // What the MAC leaves out by design: the header id (the MAC covers the original id; the
            // client checks the id itself) and the letter case of the key and algorithm names
            // (canonical form). Anything else that verifies is a forgery.
            var content = parsed.message
            content.id = original.id
            content.additional = original.additional
            if content == original { verifiedUnchanged += 1 } else { verified += 1 }
        }
        #expect(verified == 0, "an altered answer must never verify")
        #expect(verifiedUnchanged < 500, "only flips in the id and name case verify")
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 2136)
        var parsed = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...96, using: &random)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Plausible headers get further into the parser: small counts.
            if bytes.count >= 12, Bool.random(using: &random) {
                for index in stride(from: 4, to: 12, by: 2) {
                    bytes[index] = 0
                    bytes[index + 1] = UInt8.random(in: 0...2, using: &random)
                }
            }
            if let message = try? DNSMessage.parse(bytes) {
                parsed += 1
                for record in message.message.answers { _ = try? record.address() }
                _ = message.message.questions.map(\.name.description)
            }
        }
        #expect(parsed > 0, "some random messages with plausible headers parse")
    }
}
