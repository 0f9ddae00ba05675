import FloatIPCore
import Testing

@testable import FloatIPBGP

private func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter(\.isHexDigit))
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

private let marker = String(repeating: "ff", count: 16)
private func prefix(_ text: String) -> IPPrefix {
    let parts = text.split(separator: "/")
    return IPPrefix(address: IPAddress(String(parts[0]))!, length: Int(parts[1])!)
}

/// The BGP-4 codec against bytes written out from the RFCs (4271, 4760, 6793, 1997, 8203); the
/// same messages are checked against a real BIRD in `BIRDSessionTests`.
@Suite struct BGPCodecTests {
    let codec = BGPCodec(fourOctetAS: true)

    @Test func keepalive() throws {
        #expect(codec.encode(.keepalive) == hex(marker + "0013 04"))
        #expect(try codec.decode(hex(marker + "0013 04")) == .keepalive)
    }

    /// floatip's OPEN: version 4, AS, hold time, router ID, one capabilities parameter with IPv4 and
    /// IPv6 unicast (RFC 4760), route refresh (RFC 2918) and the four-octet AS (RFC 6793).
    @Test func open() throws {
        let open = BGPOpen.floatip(asn: 65001, holdTime: 9, identifier: 0xC612_0001)
        let bytes = hex(marker + "0033 01" + "04 fde9 0009 c6120001 16" + "02 14"
            + "01 04 0001 00 01" + "01 04 0002 00 01" + "02 00" + "41 04 0000fde9")
        #expect(codec.encode(.open(open)) == bytes)
        #expect(try codec.decode(bytes) == .open(open))
    }

    /// A four-octet AS says AS_TRANS (23456) in the two-octet field; the capability carries the real one.
    @Test func fourOctetASOpen() throws {
        let open = BGPOpen.floatip(asn: 4_200_000_001, holdTime: 90, identifier: 0xC612_0001)
        let bytes = codec.encode(.open(open))
        #expect(Array(bytes[20...21]) == [0x5B, 0xA0])
        #expect(try codec.decode(bytes) == .open(open))
    }

    /// An IPv4 route with ORIGIN IGP, AS_PATH (one four-octet sequence) and NEXT_HOP.
    @Test func updateIPv4() throws {
        let update = BGPUpdate(
            attributes: [.origin(.igp), .asPath([.sequence([65001])]), .nextHop(IPAddress("198.18.0.1")!)],
            announced: [prefix("198.18.0.100/32")])
        let bytes = hex(marker + "0030 02" + "0000 0014" + "40 01 01 00" + "40 02 06 02 01 0000fde9"
            + "40 03 04 c6120001" + "20 c6120064")
        #expect(codec.encode(.update(update)) == bytes)
        #expect(try codec.decode(bytes) == .update(update))
        // Two-octet AS_PATH before the four-octet AS capability is negotiated.
        let old = BGPCodec(fourOctetAS: false)
        #expect(try old.decode(old.encode(.update(update))) == .update(update))
    }

    /// MED, LOCAL_PREF and COMMUNITIES (with GRACEFUL_SHUTDOWN), then a withdrawal.
    @Test func updateAttributesAndWithdrawal() throws {
        let update = BGPUpdate(
            attributes: [.origin(.igp), .asPath([]), .nextHop(IPAddress("198.18.0.1")!), .med(100), .localPref(200),
                         .communities([BGPAttribute.gracefulShutdown, 0xFDE9_0001])],
            announced: [prefix("198.18.0.100/32"), prefix("198.18.64.0/18")])
        let bytes = codec.encode(.update(update))
        #expect(try codec.decode(bytes) == .update(update))
        #expect(Array(bytes.suffix(9)) == hex("20 c6120064 12 c612 40"), "a /18 takes three bytes")
        let withdrawal = BGPUpdate(withdrawn: [prefix("198.18.0.100/32")])
        #expect(codec.encode(.update(withdrawal)) == hex(marker + "001c 02" + "0005 20c6120064 0000"))
        #expect(try codec.decode(codec.encode(.update(withdrawal))) == .update(withdrawal))
    }

    /// IPv6 in MP_REACH_NLRI (global and link-local next hop) and MP_UNREACH_NLRI.
    @Test func updateIPv6() throws {
        let reach = BGPUpdate(attributes: [
            .origin(.igp), .asPath([.sequence([65001])]),
            .mpReach(.ipv6Unicast, nextHops: [IPAddress("2001:2::1")!, IPAddress("fe80::1")!], [prefix("2001:2::100/128")]),
        ])
        let bytes = codec.encode(.update(reach))
        let mp = hex("80 0e 36 0002 01 20" + "20010002000000000000000000000001" + "fe800000000000000000000000000001" + "00"
            + "80 20010002000000000000000000000100")
        #expect(bytes.suffix(mp.count).elementsEqual(mp))
        #expect(try codec.decode(bytes) == .update(reach))
        #expect((try? codec.decode(bytes)).flatMap { if case .update(let u) = $0 { u.allAnnounced } else { nil } } == [prefix("2001:2::100/128")])
        let unreach = BGPUpdate(attributes: [.mpUnreach(.ipv6Unicast, [prefix("2001:2::100/128")])])
        #expect(codec.encode(.update(unreach)) == hex(marker + "002e 02" + "0000 0017" + "80 0f 14 0002 01 80 20010002000000000000000000000100"))
        #expect(try codec.decode(codec.encode(.update(unreach))) == .update(unreach))
    }

    /// Cease / Administrative Shutdown with a message (RFC 8203 as RFC 9003 updates it).
    @Test func administrativeShutdown() throws {
        let notification = BGPNotification.administrativeShutdown("floatip stopping")
        #expect(codec.encode(.notification(notification)) == hex(marker + "0026 03 06 02 10") + Array("floatip stopping".utf8))
        #expect(notification.shutdownMessage == "floatip stopping")
        #expect(notification.description == "cease, administrative shutdown: \"floatip stopping\"")
        // Cut to 255 bytes, at a character boundary.
        let long = BGPNotification.administrativeShutdown(String(repeating: "é", count: 200))
        #expect(long.data.first == 254 && long.shutdownMessage?.count == 127)
    }

    @Test func routeRefresh() throws {
        #expect(codec.encode(.routeRefresh(.ipv6Unicast)) == hex(marker + "0017 05 0002 00 01"))
        #expect(try codec.decode(hex(marker + "0017 05 0002 00 01")) == .routeRefresh(.ipv6Unicast))
    }

    /// Each malformed message is a typed error with the NOTIFICATION RFC 4271 §6 prescribes.
    @Test(arguments: [
        ("00" + String(repeating: "ff", count: 15) + "0013 04", BGPError.badMarker, 1, 1),
        (marker + "0012 04", .badLength(18), 1, 2),
        (marker + "0014 04 00", .badLength(20), 1, 2),
        (marker + "0013 09", .badType(9), 1, 3),
        (marker + "001d 01 03 fde9 0009 c6120001 00", .unsupportedVersion(3), 2, 1),
        (marker + "001d 01 04 fde9 0002 c6120001 00", .unacceptableHoldTime(2), 2, 6),
        (marker + "001d 01 04 fde9 0009 00000000 00", .badIdentifier(0), 2, 3),
        (marker + "0021 01 04 fde9 0009 c6120001 04 01 02 0000", .unsupportedOptionalParameter(1), 2, 4),
        (marker + "001e 01 04 fde9 0009 c6120001 05 00", .malformedOpen("optional parameters length 5, 1 bytes follow"), 2, 0),
        (marker + "001b 02 0000 0004 40 01 01 07", .invalidOrigin(7), 3, 6),
        (marker + "001b 02 0000 0004 80 01 01 00", .attributeFlags(type: 1, flags: 0x80), 3, 4),
        (marker + "001c 02 0000 0005 40 01 02 00 00", .attributeLength(type: 1, length: 2), 3, 5),
        (marker + "001b 02 0000 0004 40 01 09 00", .attributeLength(type: 1, length: 9), 3, 5),
        (marker + "0020 02 0000 0004 40 01 01 00 20 c6120064", .missingWellKnown(2), 3, 3),
        (marker + "001b 02 0000 0004 40 63 01 00", .unrecognizedWellKnown(0x63), 3, 2),
        (marker + "001c 02 0000 0005 40 02 02 07 01", .malformedASPath("segment type 7"), 3, 11),
        (marker + "001d 02 0000 0000 21 c6120064 00", .invalidNetworkField("prefix length 33 exceeds 32"), 3, 10),
        (marker + "0018 02 0001 21 0000", .invalidNetworkField("prefix length 33 exceeds 32"), 3, 10),
        (marker + "0014 03 06", .badLength(20), 1, 2),
        (marker + "0016 05 0001 00", .badLength(22), 1, 2),
    ] as [(String, BGPError, UInt8, UInt8)])
    func malformedMessagesAreTypedErrors(bytes: String, error: BGPError, code: UInt8, subcode: UInt8) {
        #expect(throws: error) { try codec.decode(hex(bytes)) }
        #expect(error.notification.code == code && error.notification.subcode == subcode, "\(error)")
    }

    /// Random damage to valid messages (bounded: 20,000 cases, seeded): the decoder never traps, and
    /// every error it throws answers with a NOTIFICATION of a defined code.
    @Test func damagedMessagesNeverTrap() {
        let valid: [[UInt8]] = [
            codec.encode(.open(.floatip(asn: 65001, holdTime: 9, identifier: 0xC612_0001))),
            codec.encode(.update(BGPUpdate(attributes: [.origin(.igp), .asPath([.sequence([65001, 65002])]),
                .nextHop(IPAddress("198.18.0.1")!), .med(5), .communities([1, 2])], announced: [prefix("198.18.0.100/32")]))),
            codec.encode(.update(BGPUpdate(attributes: [.origin(.igp), .asPath([]),
                .mpReach(.ipv6Unicast, nextHops: [IPAddress("2001:2::1")!], [prefix("2001:2::100/128")])]))),
            codec.encode(.notification(.administrativeShutdown("bye"))),
            codec.encode(.routeRefresh(.ipv4Unicast)),
        ]
        var random = SplitMix64(seed: 0xB6F)
        var decoded = 0, refused = 0
        for round in 0..<20_000 {
            var bytes = valid[round % valid.count]
            for _ in 0...Int.random(in: 0...3, using: &random) where bytes.count > 17 {
                let index = Int.random(in: 16..<bytes.count, using: &random)
                switch Int.random(in: 0...2, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.removeSubrange(index...)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            do {
                _ = try codec.decode(bytes)
                decoded += 1
            } catch {
                #expect((1...7).contains(error.notification.code), "\(error)")
                refused += 1
            }
        }
        #expect(decoded + refused == 20_000 && refused > 10_000, "decoded \(decoded), refused \(refused)")
    }

    /// The framer cuts a stream fed one byte at a time into the same messages; a bad header is an error at once.
    @Test func framerCutsAStream() throws {
        let messages: [BGPMessage] = [.keepalive, .open(.floatip(asn: 65001, holdTime: 9, identifier: 1)), .routeRefresh(.ipv4Unicast)]
        var framer = BGPFramer()
        var out: [BGPMessage] = []
        for byte in messages.flatMap(codec.encode) {
            framer.append([byte])
            while let message = try framer.next() { out.append(try codec.decode(message)) }
        }
        #expect(out == messages)
        framer.append(hex(marker + "2000 02"))
        #expect(throws: BGPError.badLength(0x2000)) { try framer.next() }
    }
}
