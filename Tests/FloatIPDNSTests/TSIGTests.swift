@testable import FloatIPDNS
import FloatIPCore
import Testing

@Suite struct TSIGTests {
    let now: UInt64 = 1_700_000_000

    @Test func signedRequestCarriesTheTSIGRecordLast() throws {
        let update = DNSUpdate.replaceAddresses(
            id: 0x1234, zone: name("example.test"), name: name("vip.example.test"), addresses: [address("198.18.0.1")],
            ttl: 60)
        let (bytes, mac) = try TSIG.sign(update, key: testKey, now: now)
        #expect(mac.count == 32)
        let parsed = try DNSMessage.parse(bytes)
        let tsig = try #require(parsed.message.additional.last)
        #expect(tsig.type == .tsig && tsig.recordClass == .any && tsig.ttl == 0 && tsig.name == testKey.name)
        let record = try TSIG.Record.parse(tsig.data)
        #expect(record.algorithm == name("hmac-sha256"))
        #expect(record.timeSigned == now && record.fudge == 300 && record.originalID == 0x1234 && record.mac == mac)
        #expect(parsed.tsigOffset == (try update.encoded()).count)
    }

    /// The MAC over a known message, computed independently (Python's hmac over the same bytes, see
    /// the comment): guards the order and encoding of the TSIG variables.
    @Test func macMatchesAnIndependentComputation() throws {
        let query = DNSUpdate.query(id: 0x0001, name: name("a.test"), type: .a)
        let (_, mac) = try TSIG.sign(query, key: testKey, now: 0x0000_6553_F100)
        // python3 -c 'import hmac,hashlib; m=bytes.fromhex("000100000001000000000000016104746573740000010001");
        //   v=bytes.fromhex("0c666c6f617469702d7465737400"+"00ff"+"00000000"+"0b686d61632d73686132353600"
        //   +"00006553f100"+"012c"+"0000"+"0000");  # key name, ANY, TTL 0, algorithm, time, fudge, error, other len
        //   print(hmac.new(bytes(range(1,33)),m+v,hashlib.sha256).hexdigest())'
        #expect(mac == hex("fd37b61972285aeb64899c15df1f2f03b41915329f7dd4b7c7f117423f29d4fb"))
    }

    @Test func verifiesTheServersSignedAnswer() throws {
        let (answerBytes, requestMAC) = try DNSFuzzTests.signedAnswer()
        let parsed = try DNSMessage.parse(answerBytes)
        let record = try TSIG.verify(parsed, requestMAC: requestMAC, key: testKey, now: now + 10)
        #expect(record.error == .noError)
    }

    @Test func rejectsAnswersThatAreNotProperlySigned() throws {
        let (answerBytes, requestMAC) = try DNSFuzzTests.signedAnswer()
        let parsed = try DNSMessage.parse(answerBytes)
        let otherSecret = TSIGKey(name: testKey.name, secret: Array(repeating: 7, count: 32))
        #expect(throws: TSIGFailure.badMAC) { try TSIG.verify(parsed, requestMAC: requestMAC, key: otherSecret, now: now) }
        #expect(throws: TSIGFailure.badMAC) { try TSIG.verify(parsed, requestMAC: [0] + requestMAC.dropFirst(), key: testKey, now: now) }
        #expect(throws: TSIGFailure.badTime(skew: 301)) { try TSIG.verify(parsed, requestMAC: requestMAC, key: testKey, now: now + 301) }
        let otherName = TSIGKey(name: name("other-key"), secret: Array(1...32))
        #expect(throws: TSIGFailure.wrongKey(name: "floatip-test.", algorithm: "hmac-sha256.")) {
            try TSIG.verify(parsed, requestMAC: requestMAC, key: otherName, now: now)
        }
        // The same answer with its TSIG record stripped.
        var unsigned = parsed.message
        unsigned.additional.removeLast()
        #expect(throws: TSIGFailure.unsigned) {
            try TSIG.verify(try DNSMessage.parse(try unsigned.encoded()), requestMAC: requestMAC, key: testKey, now: now)
        }
        // A server that could not verify us answers NOTAUTH with an unsigned TSIG carrying BADSIG.
        var refused = unsigned
        refused.rcode = .notAuth
        let badSig = try TSIG.signAnswer(refused, requestMAC: requestMAC, key: testKey, now: now, error: .badSig)
        #expect(throws: TSIGFailure.serverError(.badSig)) {
            try TSIG.verify(try DNSMessage.parse(badSig), requestMAC: requestMAC, key: testKey, now: now)
        }
    }
}

@Suite struct TSIGKeyFileTests {
    static let bindFile = """
        // written by tsig-keygen
        key "floatip-web" {
        \talgorithm hmac-sha256;
        \tsecret "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
        };
        """

    @Test func readsBINDKeyFiles() throws {
        let key = try TSIGKeyFile.parse(Self.bindFile, name: nil)
        #expect(key.name == name("floatip-web") && key.algorithm == .hmacSHA256)
        #expect(key.mac([1]) == TSIGKey(name: key.name, secret: Array(1...32)).mac([1]))
        #expect(!key.description.contains("AQID"), "the secret is never printed")
        let two = Self.bindFile + "\nkey \"other\" { algorithm hmac-sha256; secret \"AAAAAAAAAAAAAAAAAAAAAA==\"; };"
        #expect(try TSIGKeyFile.parse(two, name: "other").name == name("other"))
        #expect(throws: TSIGKeyFileError.self) { try TSIGKeyFile.parse(two, name: nil) }
        #expect(throws: TSIGKeyFileError.self) { try TSIGKeyFile.parse(two, name: "missing") }
    }

    @Test func readsBareSecrets() throws {
        let key = try TSIGKeyFile.parse("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n", name: "web")
        #expect(key.name == name("web"))
        #expect(throws: TSIGKeyFileError.self) { try TSIGKeyFile.parse("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=", name: nil) }
    }

    @Test(arguments: [
        "key \"k\" { algorithm hmac-md5; secret \"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\"; };",
        "key \"k\" { algorithm hmac-sha256; secret \"not base64!\"; };",
        "key \"k\" { algorithm hmac-sha256; secret \"AQID\"; };",
        "key \"k\" { algorithm hmac-sha256; };",
        "key \"k\" { algorithm hmac-sha256; secret \"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\";",
        "key { }",
        "",
    ])
    func rejectsBadKeyFilesWithoutPrintingSecrets(_ text: String) {
        do {
            _ = try TSIGKeyFile.parse(text, name: text.isEmpty ? nil : "k")
            Issue.record("accepted \(text)")
        } catch {
            #expect(!error.description.contains("AQIDBAUG"))
        }
    }
}
