/// How version 3 over IPv4 computes its checksum. RFC 5798 was read two ways: keepalived (by default)
/// includes the IPv4 pseudo-header, Cisco and RFC 9568 do not, and FRR has a switch. Version 2 never
/// includes it; version 3 over IPv6 always does.
public enum VRRPChecksumForm: String, Sendable, Equatable, CaseIterable {
    /// The pseudo-header (source, destination, zero, protocol 112, length) and the message: keepalived's.
    case pseudoHeader = "pseudo-header"
    /// The message alone: RFC 9568's.
    case message
}

/// The Internet checksum (RFC 1071) of VRRP messages.
enum VRRPChecksum {
    /// IP protocol number of VRRP.
    static let protocolNumber: UInt8 = 112

    /// The checksum of `message` (whose checksum field holds zero, or the checksum to verify: then a
    /// correct message sums to 0), with the pseudo-header of `envelope` when given.
    static func compute(_ message: ArraySlice<UInt8>, pseudoHeader envelope: VRRPEnvelope?) -> UInt16 {
        var sum: UInt32 = 0
        if let envelope {
            sum = add(envelope.source.bytes[...], to: sum)
            sum = add(envelope.destination.bytes[...], to: sum)
            if envelope.source.isIPv4 {
                sum += UInt32(protocolNumber) + UInt32(message.count)
            } else {
                // IPv6: a 32-bit upper-layer length, three zero bytes, the next header.
                sum += UInt32(message.count >> 16) + UInt32(message.count & 0xffff) + UInt32(protocolNumber)
            }
        }
        sum = add(message, to: sum)
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private static func add(_ bytes: ArraySlice<UInt8>, to start: UInt32) -> UInt32 {
        var sum = start
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let high = UInt32(bytes[index]) << 8
            let low = index + 1 < bytes.endIndex ? UInt32(bytes[index + 1]) : 0
            sum += high | low
            if sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
            index += 2
        }
        return sum
    }
}
