import FloatIPCore

extension BGPCodec {
    /// The message in `bytes`, which hold exactly one (as `BGPFramer` cuts them).
    public func decode(_ bytes: [UInt8]) throws(BGPError) -> BGPMessage {
        let (type, length) = try Self.header(bytes)
        guard length == bytes.count else { throw .badLength(UInt16(clamping: bytes.count)) }
        var body = BGPReader(bytes, from: Self.headerLength, to: length)
        switch type {
        case 1:
            guard length >= 29 else { throw .badLength(UInt16(length)) }
            return .open(try Self.decodeOpen(&body))
        case 2:
            guard length >= 23 else { throw .badLength(UInt16(length)) }
            return .update(try decodeUpdate(&body))
        case 3:
            guard length >= 21 else { throw .badLength(UInt16(length)) }
            // The length checks above make these reads safe; a short message is a bad length.
            let short = BGPError.badLength(UInt16(length))
            let code = try body.byte(short)
            let subcode = try body.byte(short)
            return .notification(BGPNotification(code: code, subcode: subcode, data: try body.bytes(body.remaining, short)))
        case 4:
            guard length == 19 else { throw .badLength(UInt16(length)) }
            return .keepalive
        default:
            guard length == 23 else { throw .badLength(UInt16(length)) }
            let short = BGPError.badLength(UInt16(length))
            let afi = try body.uint16(short)
            _ = try body.byte(short)
            return .routeRefresh(BGPFamily(afi: afi, safi: try body.byte(short)))
        }
    }

    /// A header's type and length, checked (RFC 4271 §6.1); needs the 19 header bytes.
    static func header(_ bytes: [UInt8]) throws(BGPError) -> (type: UInt8, length: Int) {
        var reader = BGPReader(bytes, to: headerLength)
        for _ in 0..<16 where try reader.byte(.badMarker) != 0xFF { throw .badMarker }
        let length = try reader.uint16(.badLength(0))
        let type = try reader.byte(.badLength(length))
        guard (headerLength...maximumLength).contains(Int(length)) else { throw .badLength(length) }
        guard (1...5).contains(type) else { throw .badType(type) }
        return (type, Int(length))
    }

    static func decodeOpen(_ body: inout BGPReader) throws(BGPError) -> BGPOpen {
        let version = try body.byte(.malformedOpen("no version"))
        guard version == 4 else { throw .unsupportedVersion(version) }
        let shortAS = try body.uint16(.malformedOpen("no AS"))
        let holdTime = try body.uint16(.malformedOpen("no hold time"))
        guard holdTime == 0 || holdTime >= 3 else { throw .unacceptableHoldTime(holdTime) }
        let identifier = try body.uint32(.malformedOpen("no BGP identifier"))
        guard identifier != 0 else { throw .badIdentifier(identifier) }
        let parametersLength = Int(try body.byte(.malformedOpen("no optional parameters length")))
        guard parametersLength == body.remaining else {
            throw .malformedOpen("optional parameters length \(parametersLength), \(body.remaining) bytes follow")
        }
        var capabilities: [BGPCapability] = []
        while !body.atEnd {
            let type = try body.byte(.malformedOpen("truncated optional parameter"))
            let length = Int(try body.byte(.malformedOpen("truncated optional parameter")))
            var parameter = try body.sub(length, .malformedOpen("optional parameter longer than the message"))
            guard type == 2 else { throw .unsupportedOptionalParameter(type) }
            while !parameter.atEnd {
                let code = try parameter.byte(.malformedOpen("truncated capability"))
                let size = Int(try parameter.byte(.malformedOpen("truncated capability")))
                var value = try parameter.sub(size, .malformedOpen("capability \(code) longer than its parameter"))
                capabilities.append(try capability(code, size, &value))
            }
        }
        var open = BGPOpen(asn: UInt32(shortAS), holdTime: holdTime, identifier: identifier, capabilities: capabilities)
        if let asn = open.fourOctetAS { open.asn = asn }
        return open
    }

    private static func capability(_ code: UInt8, _ size: Int, _ value: inout BGPReader) throws(BGPError) -> BGPCapability {
        let wrong = BGPError.malformedOpen("capability \(code) has length \(size)")
        switch code {
        case 1 where size == 4:
            let afi = try value.uint16(wrong)
            _ = try value.byte(wrong)
            return .multiprotocol(BGPFamily(afi: afi, safi: try value.byte(wrong)))
        case 2 where size == 0: return .routeRefresh
        case 65 where size == 4: return .fourOctetAS(try value.uint32(wrong))
        case 1, 2, 65: throw wrong
        default: return .other(code: code, value: try value.bytes(size, wrong))
        }
    }
}
