import FloatIPCore
import Testing

@testable import FloatIPLinux

/// Bytes from hex fields, one argument per field so each can carry its comment.
private func hex(_ fields: String...) -> [UInt8] {
    fields.joined(separator: " ").split(separator: " ").compactMap { UInt8($0, radix: 16) }
}

private let mac: [UInt8] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01]

@Suite struct AnnounceFrameTests {
    @Test func gratuitousARPRequest() {
        let frame = ARPFrame.gratuitous(.request, address: IPAddress.ipv4(198, 18, 0, 100).v4Value, mac: mac)
        let expected = hex(
            "ff ff ff ff ff ff",  // Ethernet destination: broadcast
            "02 00 5e 10 00 01",  // Ethernet source: own MAC
            "08 06",  // EtherType: ARP
            "00 01",  // hardware type: Ethernet
            "08 00",  // protocol type: IPv4
            "06 04",  // hardware address length 6, protocol address length 4
            "00 01",  // operation: request
            "02 00 5e 10 00 01",  // sender MAC: own MAC
            "c6 12 00 64",  // sender IP: 198.18.0.100 (the VIP)
            "00 00 00 00 00 00",  // target MAC: zero
            "c6 12 00 64"  // target IP: the VIP again (gratuitous: sender IP = target IP)
        )
        #expect(frame == expected)
        #expect(frame.count == ARPFrame.length)
    }

    @Test func gratuitousARPReply() {
        let frame = ARPFrame.gratuitous(.reply, address: IPAddress.ipv4(198, 18, 0, 100).v4Value, mac: mac)
        let expected = hex(
            "ff ff ff ff ff ff",  // Ethernet destination: broadcast
            "02 00 5e 10 00 01",  // Ethernet source: own MAC
            "08 06",  // EtherType: ARP
            "00 01",  // hardware type: Ethernet
            "08 00",  // protocol type: IPv4
            "06 04",  // address lengths
            "00 02",  // operation: reply
            "02 00 5e 10 00 01",  // sender MAC: own MAC
            "c6 12 00 64",  // sender IP: the VIP
            "02 00 5e 10 00 01",  // target MAC: own MAC again (not broadcast: that one is ignored within locktime)
            "c6 12 00 64"  // target IP: the VIP
        )
        #expect(frame == expected)
    }

    @Test func unsolicitedNeighbourAdvertisement() throws {
        let target = try #require(IPAddress("2001:2::100"))
        let message = NeighborAdvertisement.unsolicited(target: target.bytes, mac: mac)
        let expected = hex(
            "88",  // ICMPv6 type 136: neighbour advertisement
            "00",  // code 0
            "00 00",  // checksum: the kernel fills it in
            "20 00 00 00",  // flags: Override only (Router 0x80 and Solicited 0x40 clear), reserved
            "20 01 00 02 00 00 00 00 00 00 00 00 00 00 01 00",  // target address 2001:2::100
            "02",  // option: target link-layer address
            "01",  // option length: 1 unit of 8 bytes
            "02 00 5e 10 00 01"  // own MAC
        )
        #expect(message == expected)
        #expect(message.count == NeighborAdvertisement.length)
    }

    @Test func formsExpandToOperations() {
        #expect(ARPForm.request.operations == [.request])
        #expect(ARPForm.reply.operations == [.reply])
        #expect(ARPForm.both.operations == [.request, .reply])
        #expect(AnnounceSettings().arpForm == .request)
    }

    @Test func settingsScheduleAndValidation() throws {
        let settings = AnnounceSettings()
        #expect(settings.burstLength == .milliseconds(100))
        #expect(settings.claimBurstOffsets == [.zero, .seconds(2)])
        #expect(AnnounceSettings(repeatAfter: nil).claimBurstOffsets == [.zero])
        try settings.validate()
        try AnnounceSettings(count: 1, spacing: .zero, repeatAfter: nil).validate()
        #expect(throws: AnnounceError.invalidSettings("count is 0, must be 1 to 100")) {
            try AnnounceSettings(count: 0).validate()
        }
        #expect(throws: AnnounceError.self) { try AnnounceSettings(count: 101).validate() }
        #expect(throws: AnnounceError.self) { try AnnounceSettings(spacing: .milliseconds(-1)).validate() }
        #expect(throws: AnnounceError.self) { try AnnounceSettings(spacing: .seconds(11)).validate() }
        #expect(throws: AnnounceError.self) { try AnnounceSettings(repeatAfter: .milliseconds(100)).validate() }
        #expect(throws: AnnounceError.self) { try AnnounceSettings(refreshEvery: .milliseconds(50)).validate() }
    }

    @Test func errorsNameInterfaceAndAddress() throws {
        #expect(AnnounceError.noSuchInterface("eth9").description == "interface eth9 does not exist in this namespace")
        #expect(
            AnnounceError.needsPermission(action: "sending gratuitous ARP").description
                == "sending gratuitous ARP needs CAP_NET_RAW: run as root")
        let failure = AnnounceError.failed(
            what: "gratuitous ARP request for 198.18.0.100 on eth0", SystemError(call: "sendto", errno: 100))
        #expect(
            failure.description
                == "gratuitous ARP request for 198.18.0.100 on eth0: sendto: Network is down (errno 100)")
        let vip6 = try #require(IPAddress("2001:2::100"))
        #expect(
            AnnounceError.ipv6Unavailable(interface: "eth0", address: vip6).description
                == "cannot announce 2001:2::100 on eth0: IPv6 is not available in this namespace")
    }
}

extension IPAddress {
    /// The IPv4 value (tests only ever ask an IPv4 address).
    fileprivate var v4Value: UInt32 {
        if case .v4(let value) = self { value } else { 0 }
    }
}
