import FloatIPCore

/// Encodes and decodes BGP-4 messages (RFC 4271 §4) for one session: `fourOctetAS` once both
/// speakers sent the four-octet AS capability (RFC 6793: AS_PATH then carries four-octet ASNs).
/// Pure; decoding never traps, and every malformed message is a `BGPError`.
public struct BGPCodec: Sendable {
    public var fourOctetAS: Bool

    public init(fourOctetAS: Bool = false) {
        self.fourOctetAS = fourOctetAS
    }

    public static let headerLength = 19
    public static let maximumLength = 4096

    // MARK: Encoding

    /// One whole message: the marker, the length, the type and the body.
    public func encode(_ message: BGPMessage) -> [UInt8] {
        let body: [UInt8] =
            switch message {
            case .open(let open): Self.encodeOpen(open)
            case .update(let update): encodeUpdate(update)
            case .notification(let notification): [notification.code, notification.subcode] + notification.data
            case .keepalive: []
            case .routeRefresh(let family):
                { var bytes: [UInt8] = []; bytes.append16(family.afi); bytes += [0, family.safi]; return bytes }()
            }
        var bytes = [UInt8](repeating: 0xFF, count: 16)
        bytes.append16(UInt16(Self.headerLength + body.count))
        bytes.append(message.type)
        return bytes + body
    }

    static func encodeOpen(_ open: BGPOpen) -> [UInt8] {
        var bytes: [UInt8] = [4]
        bytes.append16(UInt16(open.asn <= 0xFFFF ? open.asn : BGPOpen.asTrans))
        bytes.append16(open.holdTime)
        bytes.append32(open.identifier)
        var capabilities: [UInt8] = []
        for capability in open.capabilities {
            switch capability {
            case .multiprotocol(let family):
                capabilities += [1, 4]
                capabilities.append16(family.afi)
                capabilities += [0, family.safi]
            case .routeRefresh: capabilities += [2, 0]
            case .fourOctetAS(let asn):
                capabilities += [65, 4]
                capabilities.append32(asn)
            case .other(let code, let value): capabilities += [code, UInt8(value.count)] + value
            }
        }
        let parameters: [UInt8] = capabilities.isEmpty ? [] : [2, UInt8(capabilities.count)] + capabilities
        return bytes + [UInt8(parameters.count)] + parameters
    }

    func encodeUpdate(_ update: BGPUpdate) -> [UInt8] {
        let withdrawn = update.withdrawn.flatMap(Self.encodePrefix)
        let attributes = update.attributes.flatMap(encodeAttribute)
        var bytes: [UInt8] = []
        bytes.append16(UInt16(withdrawn.count))
        bytes += withdrawn
        bytes.append16(UInt16(attributes.count))
        return bytes + attributes + update.announced.flatMap(Self.encodePrefix)
    }

    /// A prefix as NLRI: its length in bits, then as few bytes as hold them.
    static func encodePrefix(_ prefix: IPPrefix) -> [UInt8] {
        [UInt8(prefix.length)] + prefix.address.bytes.prefix((prefix.length + 7) / 8)
    }

    func encodeAttribute(_ attribute: BGPAttribute) -> [UInt8] {
        let (flags, value): (UInt8, [UInt8])
        switch attribute {
        case .origin(let origin): (flags, value) = (0x40, [origin.rawValue])
        case .asPath(let segments):
            (flags, value) = (0x40, segments.flatMap { segment -> [UInt8] in
                var bytes: [UInt8] = [segment.type, UInt8(segment.asns.count)]
                for asn in segment.asns {
                    if fourOctetAS { bytes.append32(asn) } else { bytes.append16(UInt16(asn <= 0xFFFF ? asn : BGPOpen.asTrans)) }
                }
                return bytes
            })
        case .nextHop(let address): (flags, value) = (0x40, address.bytes)
        case .med(let med): (flags, value) = (0x80, { var b: [UInt8] = []; b.append32(med); return b }())
        case .localPref(let preference): (flags, value) = (0x40, { var b: [UInt8] = []; b.append32(preference); return b }())
        case .communities(let communities):
            (flags, value) = (0xC0, { var b: [UInt8] = []; for c in communities { b.append32(c) }; return b }())
        case .mpReach(let family, let nextHops, let prefixes):
            var bytes: [UInt8] = []
            bytes.append16(family.afi)
            let hops = nextHops.flatMap(\.bytes)
            bytes += [family.safi, UInt8(hops.count)] + hops + [0]
            (flags, value) = (0x80, bytes + prefixes.flatMap(Self.encodePrefix))
        case .mpUnreach(let family, let prefixes):
            var bytes: [UInt8] = []
            bytes.append16(family.afi)
            (flags, value) = (0x80, bytes + [family.safi] + prefixes.flatMap(Self.encodePrefix))
        case .other(let flags_, _, let value_): (flags, value) = (flags_ & ~0x10, value_)
        }
        if value.count > 255 {
            var bytes: [UInt8] = [flags | 0x10, attribute.code]
            bytes.append16(UInt16(value.count))
            return bytes + value
        }
        return [flags, attribute.code, UInt8(value.count)] + value
    }
}
