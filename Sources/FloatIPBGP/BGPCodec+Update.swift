import FloatIPCore

extension BGPCodec {
    func decodeUpdate(_ body: inout BGPReader) throws(BGPError) -> BGPUpdate {
        let withdrawnLength = Int(try body.uint16(.malformedAttributeList("no withdrawn routes length")))
        var withdrawnBytes = try body.sub(withdrawnLength, .malformedAttributeList("withdrawn routes longer than the message"))
        let withdrawn = try Self.prefixes(&withdrawnBytes, maximum: 32)
        let attributesLength = Int(try body.uint16(.malformedAttributeList("no path attributes length")))
        var attributeBytes = try body.sub(attributesLength, .malformedAttributeList("path attributes longer than the message"))
        var attributes: [BGPAttribute] = []
        var seen: Set<UInt8> = []
        while !attributeBytes.atEnd {
            let attribute = try decodeAttribute(&attributeBytes)
            guard seen.insert(attribute.code).inserted else {
                throw .malformedAttributeList("attribute \(attribute.code) appears twice")
            }
            attributes.append(attribute)
        }
        let announced = try Self.prefixes(&body, maximum: 32)
        let update = BGPUpdate(withdrawn: withdrawn, attributes: attributes, announced: announced)
        // RFC 4271 §6.3: a route needs ORIGIN and AS_PATH; IPv4 NLRI needs NEXT_HOP.
        let reaches = !announced.isEmpty || attributes.contains { $0.code == 14 }
        if reaches {
            for code: UInt8 in [1, 2] where !seen.contains(code) { throw .missingWellKnown(code) }
        }
        if !announced.isEmpty, !seen.contains(3) { throw .missingWellKnown(3) }
        return update
    }

    /// Prefixes as NLRI until the reader's end (RFC 4271 §4.3): host bits must fit the length.
    static func prefixes(_ reader: inout BGPReader, maximum: Int) throws(BGPError) -> [IPPrefix] {
        var prefixes: [IPPrefix] = []
        while !reader.atEnd {
            let length = Int(try reader.byte(.invalidNetworkField("no prefix length")))
            guard length <= maximum else { throw .invalidNetworkField("prefix length \(length) exceeds \(maximum)") }
            let bytes = try reader.bytes((length + 7) / 8, .invalidNetworkField("a /\(length) prefix is cut short"))
            let full = bytes + [UInt8](repeating: 0, count: maximum / 8 - bytes.count)
            guard let address = IPAddress(bytes: full) else { throw .invalidNetworkField("prefix bytes") }
            prefixes.append(IPPrefix(address: address, length: length))
        }
        return prefixes
    }

    func decodeAttribute(_ reader: inout BGPReader) throws(BGPError) -> BGPAttribute {
        let flags = try reader.byte(.malformedAttributeList("truncated attribute header"))
        let code = try reader.byte(.malformedAttributeList("truncated attribute header"))
        let length = flags & 0x10 != 0
            ? Int(try reader.uint16(.malformedAttributeList("truncated attribute length")))
            : Int(try reader.byte(.malformedAttributeList("truncated attribute length")))
        var value = try reader.sub(length, .attributeLength(type: code, length: length))
        let optional = flags & 0x80 != 0, transitive = flags & 0x40 != 0
        // Well-known attributes are transitive and not optional; the optional ones here say so.
        let expected: (optional: Bool, transitive: Bool)? =
            switch code {
            case 1, 2, 3, 5: (false, true)
            case 4, 14, 15: (true, false)
            case 8: (true, true)
            default: nil
            }
        if let expected, expected.optional != optional || expected.transitive != transitive {
            throw .attributeFlags(type: code, flags: flags)
        }
        let wrongLength = BGPError.attributeLength(type: code, length: length)
        switch code {
        case 1:
            guard length == 1 else { throw wrongLength }
            let raw = try value.byte(wrongLength)
            guard let origin = BGPAttribute.Origin(rawValue: raw) else { throw .invalidOrigin(raw) }
            return .origin(origin)
        case 2: return .asPath(try asPath(&value))
        case 3:
            guard length == 4, let address = IPAddress(bytes: try value.bytes(4, wrongLength)) else { throw wrongLength }
            guard address != .v4(0), address != .v4(0xFFFF_FFFF) else { throw .invalidNextHop("\(address)") }
            return .nextHop(address)
        case 4, 5:
            guard length == 4 else { throw wrongLength }
            let number = try value.uint32(wrongLength)
            return code == 4 ? .med(number) : .localPref(number)
        case 8:
            guard length % 4 == 0 else { throw .optionalAttribute(type: 8, "length \(length) is not a multiple of 4") }
            var communities: [UInt32] = []
            while !value.atEnd { communities.append(try value.uint32(wrongLength)) }
            return .communities(communities)
        case 14, 15: return try multiprotocol(code, flags: flags, &value)
        default:
            // An unknown well-known attribute is an error; an unknown optional one is read and ignored.
            guard optional else { throw .unrecognizedWellKnown(code) }
            return .other(flags: flags, code: code, value: try value.bytes(length, wrongLength))
        }
    }

    private func asPath(_ value: inout BGPReader) throws(BGPError) -> [BGPAttribute.Segment] {
        var segments: [BGPAttribute.Segment] = []
        while !value.atEnd {
            let type = try value.byte(.malformedASPath("truncated segment"))
            guard (1...4).contains(type) else { throw .malformedASPath("segment type \(type)") }
            let count = Int(try value.byte(.malformedASPath("truncated segment")))
            guard count > 0 else { throw .malformedASPath("an empty segment") }
            var asns: [UInt32] = []
            for _ in 0..<count {
                asns.append(fourOctetAS
                    ? try value.uint32(.malformedASPath("segment longer than the attribute"))
                    : UInt32(try value.uint16(.malformedASPath("segment longer than the attribute"))))
            }
            segments.append(BGPAttribute.Segment(type: type, asns: asns))
        }
        return segments
    }

    /// MP_REACH_NLRI (14) or MP_UNREACH_NLRI (15) of IPv4 or IPv6 unicast; other families are kept unread.
    private func multiprotocol(_ code: UInt8, flags: UInt8, _ value: inout BGPReader) throws(BGPError) -> BGPAttribute {
        let start = value
        let wrong = BGPError.optionalAttribute(type: code, "cut short")
        let family = BGPFamily(afi: try value.uint16(wrong), safi: try value.byte(wrong))
        guard family == .ipv4Unicast || family == .ipv6Unicast else {
            var all = start
            return .other(flags: flags, code: code, value: try all.bytes(all.remaining, wrong))
        }
        let maximum = family == .ipv4Unicast ? 32 : 128
        guard code == 14 else { return .mpUnreach(family, try Self.prefixes(&value, maximum: maximum)) }
        let hopsLength = Int(try value.byte(wrong))
        let size = maximum / 8
        guard hopsLength == size || (family == .ipv6Unicast && hopsLength == 2 * size) else {
            throw .invalidNextHop("\(family) next hop of \(hopsLength) bytes")
        }
        var hops: [IPAddress] = []
        for _ in 0..<hopsLength / size {
            guard let hop = IPAddress(bytes: try value.bytes(size, wrong)) else { throw wrong }
            hops.append(hop)
        }
        _ = try value.byte(wrong)  // reserved
        return .mpReach(family, nextHops: hops, try Self.prefixes(&value, maximum: maximum))
    }
}
