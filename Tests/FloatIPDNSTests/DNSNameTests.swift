@testable import FloatIPDNS
import Testing

@Suite struct DNSNameTests {
    @Test func parsesAndPrintsAbsoluteNames() throws {
        #expect(try DNSName("vip.Example.test").description == "vip.Example.test.")
        #expect(try DNSName("vip.example.test.") == DNSName("VIP.EXAMPLE.TEST"))
        #expect(try DNSName(".") == .root)
        #expect(try DNSName("a.b").wire == [1, 0x61, 1, 0x62, 0])
        #expect(try DNSName("A.b").wire == [1, 0x61, 1, 0x62, 0], "wire form is lowercase (canonical, for TSIG)")
    }

    @Test(arguments: ["", "a..b", "a b.c", "é.test", String(repeating: "a", count: 64) + ".test",
                      Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")])
    func rejectsInvalidNames(_ text: String) {
        #expect(throws: DNSWireError.self) { try DNSName(text) }
    }

    @Test func subdomains() throws {
        #expect(try DNSName("vip.example.test").isSubdomain(of: DNSName("example.test")))
        #expect(try DNSName("example.test").isSubdomain(of: DNSName("EXAMPLE.test")))
        #expect(try !DNSName("vip.example.org").isSubdomain(of: DNSName("example.test")))
        #expect(try !DNSName("test").isSubdomain(of: DNSName("example.test")))
    }

    @Test func escapesUnprintableBytesInDescriptions() throws {
        let hostile = try DNSName(wireLabels: [[0x61, 0x0A, 0x2E], [0x62]])
        #expect(hostile.description == "a\\010\\046.b.")
    }
}
