@testable import FloatIPDNS
import FloatIPCore
import Testing

@Suite struct DNSMessageTests {
    @Test func replaceUpdateGoldenBytes() throws {
        let update = DNSUpdate.replaceAddresses(
            id: 0x1234, zone: name("example.test"), name: name("vip.example.test"),
            addresses: [address("198.18.0.1")], ttl: 60)
        let expected = hex("""
            1234 2800 0001 0000 0002 0000           # id, opcode UPDATE, ZOCOUNT 1, PRCOUNT 0, UPCOUNT 2, ADCOUNT 0
            07 6578616d706c65 04 74657374 00 0006 0001   # zone: example.test. SOA IN
            03 766970 07 6578616d706c65 04 74657374 00   # vip.example.test.
              0001 00ff 00000000 0000                   #   A ANY TTL 0 no data: delete the A RRset
            03 766970 07 6578616d706c65 04 74657374 00   # vip.example.test.
              0001 0001 0000003c 0004 c6120001          #   A IN TTL 60 198.18.0.1: add
            """)
        #expect(try update.encoded() == expected)
    }

    @Test func replaceTouchesOnlyTheFamiliesPublished() throws {
        let both = DNSUpdate.replaceAddresses(
            id: 1, zone: name("example.test"), name: name("vip.example.test"),
            addresses: [address("198.18.0.1"), address("2001:2::1")], ttl: 30)
        #expect(both.authority.map(\.type) == [.a, .aaaa, .a, .aaaa])
        #expect(both.authority.map(\.recordClass) == [.any, .any, .in, .in])
        #expect(both.authority[3].data == address("2001:2::1").bytes)
        let v6 = DNSUpdate.replaceAddresses(
            id: 1, zone: name("example.test"), name: name("vip.example.test"), addresses: [address("2001:2::1")], ttl: 30)
        #expect(v6.authority.map(\.type) == [.aaaa, .aaaa])
    }

    @Test func conditionalDeleteHasValueDependentPrerequisite() throws {
        let delete = DNSUpdate.deleteAddresses(
            id: 7, zone: name("example.test"), name: name("vip.example.test"), ifHolding: [address("198.18.0.1")])
        #expect(delete.answers == [DNSRecord(name: name("vip.example.test"), address: address("198.18.0.1"), ttl: 0)])
        #expect(delete.authority.map(\.recordClass) == [.any])
    }

    @Test func roundTripsThroughTheParser() throws {
        var message = DNSUpdate.query(id: 0xBEEF, name: name("vip.example.test"), type: .aaaa)
        message.isResponse = true
        message.authoritative = true
        message.rcode = .nxDomain
        message.answers = [DNSRecord(name: name("vip.example.test"), address: address("2001:2::5"), ttl: 5)]
        let parsed = try DNSMessage.parse(try message.encoded())
        #expect(parsed.message == message)
        #expect(parsed.tsigOffset == nil)
        #expect(try parsed.message.answers[0].address() == address("2001:2::5"))
    }

    @Test func readsCompressedNames() throws {
        // An answer as BIND writes it: the answer's name is a pointer to the question's (offset 12).
        let bytes = hex("""
            abcd 8400 0001 0001 0000 0000
            03 766970 07 6578616d706c65 04 74657374 00 0001 0001
            c00c 0001 0001 0000003c 0004 c6120002
            """)
        let parsed = try DNSMessage.parse(bytes)
        #expect(parsed.message.answers.count == 1)
        #expect(parsed.message.answers[0].name == name("vip.example.test"))
        #expect(try parsed.message.answers[0].address() == address("198.18.0.2"))
        // A label followed by a pointer: `www` + pointer to example.test. (offset 16).
        let partial = hex("""
            abcd 8400 0001 0001 0000 0000
            03 766970 07 6578616d706c65 04 74657374 00 0001 0001
            03 777777 c010 0001 0001 0000003c 0004 c6120002
            """)
        #expect(try DNSMessage.parse(partial).message.answers[0].name == name("www.example.test"))
    }

    @Test func rejectsPointerLoopsAndForwardPointers() {
        let loop = hex("abcd 8400 0001 0000 0000 0000 c00c 0001 0001")
        #expect(throws: DNSWireError.badPointer(offset: 12)) { try DNSMessage.parse(loop) }
        let forward = hex("abcd 8400 0001 0000 0000 0000 c012 0001 0001 00")
        #expect(throws: DNSWireError.badPointer(offset: 12)) { try DNSMessage.parse(forward) }
        let reserved = hex("abcd 8400 0001 0000 0000 0000 4000 0001 0001")
        #expect(throws: DNSWireError.badLabelType(offset: 12)) { try DNSMessage.parse(reserved) }
    }

    @Test func rejectsLyingCountsAndTrailingBytes() {
        let lying = hex("abcd 8400 0000 ffff 0000 0000")
        #expect(throws: DNSWireError.self) { try DNSMessage.parse(lying) }
        let trailing = hex("abcd 8400 0000 0000 0000 0000 00")
        #expect(throws: DNSWireError.trailingBytes(count: 1)) { try DNSMessage.parse(trailing) }
    }

    @Test func rejectsBadAddressData() throws {
        let record = DNSRecord(name: name("a.test"), type: .a, recordClass: .in, ttl: 1, data: [1, 2, 3])
        #expect(throws: DNSWireError.badRecordData(type: "A", reason: "3 bytes, not 4")) { try record.address() }
    }

    @Test func tsigMustBeLast() throws {
        var message = DNSMessage(id: 1)
        message.additional = [
            DNSRecord(name: name("k"), type: .tsig, recordClass: .any, ttl: 0, data: []),
            DNSRecord(name: name("a.test"), address: address("198.18.0.1"), ttl: 1),
        ]
        #expect(throws: DNSWireError.self) { try DNSMessage.parse(try message.encoded()) }
    }
}
