import FloatIPCore
import Testing

/// `VRRPCodec` against packets keepalived 2.2.7 sent (captured from a namespace by
/// `VRRPKeepalivedCaptureTests`, which compares live ones too), and fuzzed.
@Suite struct VRRPCodecTests {
    /// A whole IPv4 packet as keepalived sent it, in hex.
    static func packet(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func a198(_ last: UInt8) -> IPAddress { .ipv4(198, 18, 5, last) }

    /// keepalived: `virtual_router_id 51`, `priority 150`, `advert_int 1`, version 2, no authentication.
    static let version2 = "45c0002800010000ff700f7fc6120501e00000122133960100017d53c61205640000000000000000"
    /// `auth_type PASS`, `auth_pass secret12`, two addresses, VRID 52.
    static let version2Password = "45c0002c00010000ff700f7bc6120501e00000122134960201014359c6120565c61205667365637265743132"
    /// `version 3`, `advert_int 0.5`, VRID 53: keepalived's checksum includes the IPv4 pseudo-header.
    static let version3 = "45c0002000010000ff700f87c6120501e0000012313596010032c17ac6120567"
    /// `version 3`, IPv6, `advert_int 0.25`, VRID 54: the VRRP message after the IPv6 header.
    static let version3IPv6Message = "31369601001900f920010002000000050000000000000100"
    static let version3IPv6Envelope = VRRPEnvelope(
        source: IPAddress("fe80::249f:3aff:fe15:badb")!, destination: IPAddress("ff02::12")!)

    @Test func keepalivedsVersion2DecodesAndReencodesToTheSameBytes() throws {
        let (envelope, message) = try VRRPCodec.splitIPv4Packet(Self.packet(Self.version2))
        #expect(envelope == VRRPEnvelope(source: Self.a198(1), destination: .ipv4(224, 0, 0, 18), hopLimit: 255))
        let (advert, form) = try VRRPCodec.decode(message, envelope: envelope)
        #expect(advert == VRRPAdvertisement(version: 2, vrid: 51, priority: 150, interval: 1, addresses: [Self.a198(100)]))
        #expect(form == .message)
        #expect(try VRRPCodec.encode(advert, envelope: envelope) == Array(message))
    }

    @Test func aPasswordIsCarriedAndChecked() throws {
        let (envelope, message) = try VRRPCodec.splitIPv4Packet(Self.packet(Self.version2Password))
        let (advert, _) = try VRRPCodec.decode(message, envelope: envelope)
        #expect(advert.authentication == .password(Array("secret12".utf8)))
        #expect(advert.addresses == [Self.a198(101), Self.a198(102)])
        #expect(try VRRPCodec.encode(advert, envelope: envelope) == Array(message))
        try advert.check(against: VRRPRouterIdentity(version: 2, vrid: 52, authentication: .password(Array("secret12".utf8))))
        #expect(throws: VRRPError.authenticationMismatch) {
            try advert.check(against: VRRPRouterIdentity(version: 2, vrid: 52, authentication: .password(Array("secret13".utf8))))
        }
        #expect(throws: VRRPError.authenticationMismatch) { try advert.check(against: VRRPRouterIdentity(version: 2, vrid: 52)) }
        #expect(throws: VRRPError.otherVRID(52)) { try advert.check(against: VRRPRouterIdentity(version: 2, vrid: 51)) }
    }

    @Test func version3OverIPv4AcceptsBothChecksumFormsAndSendsTheChosenOne() throws {
        let (envelope, message) = try VRRPCodec.splitIPv4Packet(Self.packet(Self.version3))
        let (advert, form) = try VRRPCodec.decode(message, envelope: envelope)
        #expect(form == .pseudoHeader, "keepalived's default")
        #expect(advert == VRRPAdvertisement(version: 3, vrid: 53, priority: 150, interval: 50, addresses: [Self.a198(103)]))
        #expect(advert.intervalDuration == .milliseconds(500))
        #expect(try VRRPCodec.encode(advert, envelope: envelope) == Array(message))
        let plain = try VRRPCodec.encode(advert, envelope: envelope, form: .message)
        #expect(plain != Array(message))
        let decoded = try VRRPCodec.decode(plain[...], envelope: envelope)
        #expect(decoded.advert == advert)
        #expect(decoded.form == .message)
        // In unicast the pseudo-header holds the peer's address: another destination, another checksum.
        let unicast = VRRPEnvelope(source: envelope.source, destination: Self.a198(2))
        #expect(throws: VRRPError.badChecksum) { try VRRPCodec.decode(message, envelope: unicast) }
    }

    @Test func version3OverIPv6() throws {
        let message = Self.packet(Self.version3IPv6Message)
        let (advert, form) = try VRRPCodec.decode(message[...], envelope: Self.version3IPv6Envelope)
        #expect(form == .pseudoHeader)
        #expect(advert.addresses == [IPAddress("2001:2:0:5::100")!])
        #expect(advert.interval == 25)
        #expect(try VRRPCodec.encode(advert, envelope: Self.version3IPv6Envelope) == message)
        // IPv6 has one form: without the pseudo-header it is a bad checksum.
        var plain = message
        plain[6] = 0
        plain[7] = 0
        let checksum = ~plain.indices.filter { $0 % 2 == 0 }.reduce(UInt32(0)) { sum, index in
            var total = sum + (UInt32(plain[index]) << 8 | UInt32(plain[index + 1]))
            while total > 0xffff { total = (total & 0xffff) + (total >> 16) }
            return total
        }
        plain[6] = UInt8(truncatingIfNeeded: checksum >> 8)
        plain[7] = UInt8(truncatingIfNeeded: checksum)
        #expect(throws: VRRPError.badChecksum) { try VRRPCodec.decode(plain[...], envelope: Self.version3IPv6Envelope) }
    }

    /// keepalived checks the hop limit of multicast advertisements only: its IPv6 unicast ones leave with
    /// the kernel's default (64). The checksum covers the unicast destination.
    @Test func aUnicastAdvertisementsHopLimitIsNotChecked() throws {
        let message = Self.packet(Self.version3IPv6Message)
        let (advert, _) = try VRRPCodec.decode(message[...], envelope: Self.version3IPv6Envelope)
        let unicast = VRRPEnvelope(source: IPAddress("2001:2::2")!, destination: IPAddress("2001:2::1")!, hopLimit: 64)
        let sent = try VRRPCodec.encode(advert, envelope: unicast)
        #expect(try VRRPCodec.decode(sent[...], envelope: unicast).advert == advert)
        var multicast = Self.version3IPv6Envelope
        multicast.hopLimit = 64
        #expect(throws: VRRPError.badHopLimit(64)) { try VRRPCodec.decode(message[...], envelope: multicast) }
        var elsewhere = unicast
        elsewhere.destination = IPAddress("2001:2::3")!
        #expect(throws: VRRPError.badChecksum) { try VRRPCodec.decode(sent[...], envelope: elsewhere) }
    }

    @Test("malformed advertisements: each a typed error, by reason")
    func malformed() throws {
        let (envelope, message) = try VRRPCodec.splitIPv4Packet(Self.packet(Self.version2))
        let good = Array(message)
        func decode(_ bytes: [UInt8], _ envelope: VRRPEnvelope = envelope) -> String {
            do {
                _ = try VRRPCodec.decode(bytes[...], envelope: envelope)
                return "accepted"
            } catch { return error.reason }
        }
        var ttl = envelope
        ttl.hopLimit = 254
        #expect(decode(good, ttl) == "bad_ttl")
        #expect(decode(Array(good.prefix(7))) == "truncated")
        #expect(decode(Array(good.dropLast())) == "truncated")
        #expect(decode(good + [0]) == "bad_count")
        var changed = good
        changed[0] = 0x41
        #expect(decode(changed) == "wrong_version")
        changed = good
        changed[0] = 0x22
        #expect(decode(changed) == "wrong_type")
        changed = good
        changed[2] = 151
        #expect(decode(changed) == "bad_checksum")
        let v6 = VRRPEnvelope(source: IPAddress("fe80::1")!, destination: IPAddress("ff02::12")!)
        #expect(decode(good, v6) == "wrong_family")
        #expect(throws: VRRPError.badInterval(0)) {
            try VRRPCodec.encode(VRRPAdvertisement(version: 3, vrid: 1, priority: 1, interval: 0, addresses: [Self.a198(1)]), envelope: envelope)
        }
        #expect(throws: VRRPError.wrongFamily) {
            try VRRPCodec.encode(VRRPAdvertisement(version: 2, vrid: 1, priority: 1, interval: 1, addresses: [IPAddress("2001:2::1")!]), envelope: v6)
        }
        // Re-checksummed so the field checks behind the checksum are reached.
        for (offset, value, reason) in [(1, UInt8(0), "bad_vrid"), (5, 0, "bad_interval"), (4, 2, "bad_auth_type"), (3, 0, "bad_count")] {
            var bytes = good
            bytes[offset] = value
            if offset == 3 { bytes = Array(bytes.prefix(8)) + Array(bytes.suffix(8)) }
            #expect(decode(Self.resum(bytes)) == reason, "byte \(offset) = \(value)")
        }
    }

    /// `bytes` with a correct version 2 checksum.
    static func resum(_ bytes: [UInt8]) -> [UInt8] {
        var copy = bytes
        copy[6] = 0
        copy[7] = 0
        var sum: UInt32 = 0
        for index in stride(from: 0, to: copy.count, by: 2) {
            sum += UInt32(copy[index]) << 8 | (index + 1 < copy.count ? UInt32(copy[index + 1]) : 0)
        }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        copy[6] = UInt8(truncatingIfNeeded: ~sum >> 8)
        copy[7] = UInt8(truncatingIfNeeded: ~sum)
        return copy
    }

    @Test func randomAdvertisementsRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5652_5250)
        for round in 0..<2_000 {
            let version: UInt8 = rng.next() % 2 == 0 ? 2 : 3
            let ipv6 = version == 3 && rng.next() % 2 == 0
            let count = Int(rng.next() % 20) + 1
            let addresses = (0..<count).map { _ in
                ipv6 ? IPAddress.v6(0x2001_0002_0000_0000 | (rng.next() & 0xffff), rng.next()) : .v4(0xc612_0000 | UInt32(rng.next() & 0xffff))
            }
            let password = (0..<Int(rng.next() % 8 + 1)).map { _ in UInt8(rng.next() % 255 + 1) }
            let advert = VRRPAdvertisement(
                version: version, vrid: UInt8(rng.next() % 255 + 1), priority: UInt8(truncatingIfNeeded: rng.next()),
                interval: UInt16(rng.next() % (version == 2 ? 255 : 4095) + 1), addresses: addresses,
                authentication: version == 2 && rng.next() % 2 == 0 ? .password(password) : .none)
            let envelope = ipv6
                ? VRRPEnvelope(source: .v6(0xfe80_0000_0000_0000, rng.next()), destination: VRRPEnvelope.multicastGroup(ipv6: true))
                : VRRPEnvelope(source: .v4(0xc612_0000 | UInt32(rng.next() & 0xffff)), destination: .ipv4(224, 0, 0, 18))
            let form: VRRPChecksumForm = rng.next() % 2 == 0 ? .pseudoHeader : .message
            let bytes = try VRRPCodec.encode(advert, envelope: envelope, form: form)
            let decoded = try VRRPCodec.decode(bytes[...], envelope: envelope)
            #expect(decoded.advert == advert, "round \(round)")
            #expect(decoded.form == (version == 3 && (ipv6 || form == .pseudoHeader) ? .pseudoHeader : .message), "round \(round)")
        }
    }

    /// Random bytes and mutated advertisements: never a trap; a mutated one that still decodes has a
    /// correct checksum (the mutation hit a field without breaking it).
    @Test func randomAndMutatedBytesNeverTrap() throws {
        var rng = SplitMix64(seed: 0xf022)
        let envelopes = [
            VRRPEnvelope(source: Self.a198(1), destination: .ipv4(224, 0, 0, 18)), Self.version3IPv6Envelope,
        ]
        var accepted = 0
        for _ in 0..<20_000 {
            let envelope = envelopes[Int(rng.next() % 2)]
            var bytes = rng.bytes(Int(rng.next() % 64))
            if rng.next() % 2 == 0 {
                let (_, message) = try VRRPCodec.splitIPv4Packet(Self.packet([Self.version2, Self.version2Password, Self.version3][Int(rng.next() % 3)]))
                bytes = Array(message)
                for _ in 0..<Int(rng.next() % 3 + 1) where !bytes.isEmpty {
                    let index = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[index] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: index)
                    }
                }
            }
            if (try? VRRPCodec.decode(bytes[...], envelope: envelope)) != nil { accepted += 1 }
            _ = try? VRRPCodec.splitIPv4Packet(bytes)
        }
        #expect(accepted < 200, "\(accepted) of 20000 random or mutated messages decoded")
    }
}
