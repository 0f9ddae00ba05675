import Crypto
import Testing

@testable import FloatIPCore

/// The datagram MAC is HMAC-SHA256 exactly: checked against swift-crypto's `HMAC<SHA256>` under the
/// same derived key, for bodies shorter than, equal to and longer than SHA-256's 64-byte block.
@Suite struct DatagramKeyTests {
    @Test(arguments: [0, 1, 31, 55, 56, 63, 64, 65, 127, 128, 300, 1_400])
    func macIsHMACSHA256(length: Int) {
        let key = DatagramKey(secret: Array("datagram key test secret, 32 byt".utf8), salt: Array("salt".utf8), cluster: "web")
        var generator = SystemRandomNumberGenerator()
        let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: key.key))
        #expect(key.mac(of: body[...]) == expected)
        // A slice that does not start at index 0 (as the decoders pass it).
        let padded = [0xAA] + body
        #expect(key.mac(of: padded[1...]) == expected)
    }

    @Test func theSaltAndTheClusterSeparateKeys() {
        let secret = Array("datagram key test secret, 32 byt".utf8)
        let body: ArraySlice<UInt8> = [1, 2, 3]
        let heartbeat = DatagramKey(secret: secret, salt: Array("a".utf8), cluster: "web").mac(of: body)
        #expect(DatagramKey(secret: secret, salt: Array("b".utf8), cluster: "web").mac(of: body) != heartbeat)
        #expect(DatagramKey(secret: secret, salt: Array("a".utf8), cluster: "db").mac(of: body) != heartbeat)
    }
}
