import Testing
@testable import FloatIPCore

@Suite struct IPAddressTests {
    @Test(arguments: ["198.18.0.1", "0.0.0.0", "255.255.255.255", "10.0.0.10"])
    func ipv4RoundTrips(text: String) {
        #expect(IPAddress(text)?.description == text)
    }

    @Test func ipv4Bytes() {
        #expect(IPAddress("198.18.0.1") == .ipv4(198, 18, 0, 1))
        #expect(IPAddress("198.18.0.1")?.bytes == [198, 18, 0, 1])
    }

    @Test(arguments: ["1.2.3", "01.2.3.4", "1.2.3.4.5", "256.1.1.1", "1.2.3.", "", "a.b.c.d", "1.2.3.4 ", "1.2.3.-4"])
    func ipv4Rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }

    /// RFC 5952: lower case, no leading zeros, the longest run of zeros compressed (the first on a tie),
    /// a single zero word not compressed.
    @Test(arguments: [
        ("2001:2::100", "2001:2::100"), ("2001:0002:0000:0000:0000:0000:0000:0100", "2001:2::100"),
        ("2001:DB8::1", "2001:db8::1"), ("::", "::"), ("::1", "::1"), ("1::", "1::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::ffff:198.18.0.1", "::ffff:c612:1"),
        ("fe80:0:0:0:0:0:0:1", "fe80::1"),
    ])
    func ipv6FormatsPerRFC5952(text: String, expected: String) {
        let address = IPAddress(text)
        #expect(address?.description == expected)
        #expect(address.flatMap { IPAddress($0.description) } == address)
    }

    @Test(arguments: ["1::2::3", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::1", "g::1", ":1::2", "1::2:",
                      "1:2:3:4:5:6:7::8", "fe80::1%eth0", "::1.2.3"])
    func ipv6Rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func ipv6Bytes() {
        #expect(IPAddress("2001:2::100")?.bytes == [0x20, 0x01, 0, 2] + Array(repeating: 0, count: 10) + [1, 0])
    }

    @Test func prefixes() throws {
        #expect(try IPPrefix.parse("198.18.0.100/32").get() == IPPrefix(address: .ipv4(198, 18, 0, 100), length: 32))
        #expect(try IPPrefix.parse("198.18.0.100").get().length == 32)
        #expect(try IPPrefix.parse("2001:2::100").get().length == 128)
        #expect(try IPPrefix.parse("2001:2::/48").get().description == "2001:2::/48")
        #expect(IPPrefix.parse("198.18.0.1/33") == .failure(.lengthTooLong(33, maximum: 32)))
        #expect(IPPrefix.parse("2001:2::1/129") == .failure(.lengthTooLong(129, maximum: 128)))
        #expect(IPPrefix.parse("198.18.0.1/") == .failure(.badLength("")))
        #expect(IPPrefix.parse("198.18.0.1/x") == .failure(.badLength("x")))
        #expect(IPPrefix.parse("1.2.3/8") == .failure(.badAddress("1.2.3")))
    }
}
