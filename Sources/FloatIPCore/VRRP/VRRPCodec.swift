/// Encodes and decodes VRRP advertisements, version 2 and 3, IPv4 and IPv6. Pure: the socket layer
/// passes the message (what follows the IP header) and its `VRRPEnvelope`.
///
/// Decoding checks the hop limit, version, type, length and checksum before it believes a field,
/// and every malformed input throws a typed `VRRPError`; none traps. Whether the advertisement is
/// for this virtual router (VRID, authentication) is `VRRPAdvertisement.check(against:)`'s business.
public enum VRRPCodec {
    /// The fixed header: version/type, VRID, priority, count, auth type or interval, checksum.
    static let headerSize = 8
    /// Version 2's authentication data after the addresses.
    static let authenticationSize = 8
    static let advertisementType: UInt8 = 1

    /// The message for `advert`, sent in `envelope` (the checksum of version 3 covers its addresses;
    /// in unicast, the destination is the peer). `form` applies to version 3 over IPv4 only.
    public static func encode(
        _ advert: VRRPAdvertisement, envelope: VRRPEnvelope, form: VRRPChecksumForm = .pseudoHeader
    ) throws(VRRPError) -> [UInt8] {
        guard advert.version == 2 || advert.version == 3 else { throw .wrongVersion(advert.version) }
        guard advert.vrid != 0 else { throw .badVRID }
        guard advert.addresses.count <= 255 else { throw .unencodable("\(advert.addresses.count) addresses (at most 255)") }
        guard advert.addresses.allSatisfy({ $0.isIPv4 == envelope.source.isIPv4 }),
            advert.version == 3 || envelope.source.isIPv4
        else { throw .wrongFamily }
        let maxInterval = advert.version == 2 ? 255 : 0xfff
        guard (1...maxInterval).contains(Int(advert.interval)) else { throw .badInterval(Int(advert.interval)) }
        if case .password(let bytes) = advert.authentication {
            guard advert.version == 2, (1...8).contains(bytes.count) else {
                throw .unencodable(advert.version == 2 ? "a password of \(bytes.count) bytes (1 to 8)" : "authentication in version 3")
            }
        }
        var message: [UInt8] = [advert.version << 4 | advertisementType, advert.vrid, advert.priority, UInt8(advert.addresses.count)]
        if advert.version == 2 {
            message += [advert.authentication.type, UInt8(advert.interval), 0, 0]
        } else {
            message += [UInt8(advert.interval >> 8) & 0x0f, UInt8(advert.interval & 0xff), 0, 0]
        }
        for address in advert.addresses { message += address.bytes }
        if advert.version == 2 { message += advert.authentication.data }
        let pseudo = advert.version == 3 && (!envelope.source.isIPv4 || form == .pseudoHeader)
        let checksum = VRRPChecksum.compute(message[...], pseudoHeader: pseudo ? envelope : nil)
        message[6] = UInt8(checksum >> 8)
        message[7] = UInt8(checksum & 0xff)
        return message
    }

    /// The advertisement in `message`, received in `envelope`, and the checksum form it used (version 3
    /// over IPv4 accepts both; the others have one).
    public static func decode(
        _ message: ArraySlice<UInt8>, envelope: VRRPEnvelope
    ) throws(VRRPError) -> (advert: VRRPAdvertisement, form: VRRPChecksumForm) {
        // As keepalived: a unicast advertisement's TTL or hop limit is not checked (keepalived sends IPv6
        // unicast ones with the kernel's default hop limit, 64, unless `unicast_ttl` says otherwise).
        let multicast = envelope.destination == VRRPEnvelope.multicastGroup(ipv6: !envelope.destination.isIPv4)
        guard envelope.hopLimit == 255 || !multicast else { throw .badHopLimit(envelope.hopLimit) }
        guard message.count >= headerSize else { throw .truncated(message.count) }
        let at = message.startIndex
        let version = message[at] >> 4
        guard version == 2 || version == 3 else { throw .wrongVersion(version) }
        guard message[at] & 0x0f == advertisementType else { throw .wrongType(message[at] & 0x0f) }
        let ipv6 = !envelope.source.isIPv4
        guard version == 3 || !ipv6 else { throw .wrongFamily }
        let count = Int(message[at + 3])
        let addressSize = ipv6 ? 16 : 4
        let expected = headerSize + count * addressSize + (version == 2 ? authenticationSize : 0)
        guard message.count >= expected else { throw .truncated(message.count) }
        // keepalived and RFC 5798 allow nothing after the addresses (version 2: the authentication data).
        guard count > 0, message.count == expected else { throw .badCount(count) }
        let form: VRRPChecksumForm
        if version == 2 {
            guard VRRPChecksum.compute(message, pseudoHeader: nil) == 0 else { throw .badChecksum }
            form = .message
        } else if VRRPChecksum.compute(message, pseudoHeader: envelope) == 0 {
            form = .pseudoHeader
        } else if !ipv6, VRRPChecksum.compute(message, pseudoHeader: nil) == 0 {
            form = .message
        } else {
            throw .badChecksum
        }
        let vrid = message[at + 1]
        guard vrid != 0 else { throw .badVRID }
        let interval: UInt16 =
            version == 2 ? UInt16(message[at + 5]) : UInt16(message[at + 4] & 0x0f) << 8 | UInt16(message[at + 5])
        guard interval != 0 else { throw .badInterval(0) }
        var addresses: [IPAddress] = []
        addresses.reserveCapacity(count)
        for index in 0..<count {
            let start = at + headerSize + index * addressSize
            addresses.append(IPAddress(bytes: message[start..<(start + addressSize)])!)
        }
        var authentication = VRRPAuthentication.none
        if version == 2 {
            switch message[at + 4] {
            case 0: break
            case 1:
                let data = message[(at + expected - authenticationSize)..<(at + expected)]
                authentication = .password(Array(data.prefix { $0 != 0 }))
            case let type: throw .unsupportedAuthentication(type)
            }
        }
        let advert = VRRPAdvertisement(
            version: version, vrid: vrid, priority: message[at + 2], interval: interval, addresses: addresses,
            authentication: authentication)
        return (advert, form)
    }

    /// The envelope and the VRRP message of a whole IPv4 packet (as a raw IPv4 socket returns it).
    public static func splitIPv4Packet(_ packet: [UInt8]) throws(VRRPError) -> (envelope: VRRPEnvelope, message: ArraySlice<UInt8>) {
        guard packet.count >= 20, packet[0] >> 4 == 4 else { throw .truncated(packet.count) }
        let headerLength = Int(packet[0] & 0x0f) * 4
        let totalLength = Int(packet[2]) << 8 | Int(packet[3])
        guard headerLength >= 20, totalLength >= headerLength, packet.count >= totalLength else { throw .truncated(packet.count) }
        guard packet[9] == VRRPChecksum.protocolNumber else { throw .wrongType(packet[9]) }
        let envelope = VRRPEnvelope(source: IPAddress(bytes: packet[12..<16])!, destination: IPAddress(bytes: packet[16..<20])!, hopLimit: packet[8])
        return (envelope, packet[headerLength..<totalLength])
    }
}
