/// How version 3 over IPv4 computes its checksum. RFC 5798 was read two ways: keepalived (by default)
/// includes the IPv4 pseudo-header, Cisco and RFC 9568 do not, and FRR has a switch. Version 2 never
/// includes it; version 3 over IPv6 always does.
public enum VRRPChecksumForm: String, Sendable, Equatable, CaseIterable {
    /// The pseudo-header (source, destination, zero, protocol 112, length) and the message: keepalived's.
    case pseudoHeader = "pseudo-header"
    /// The message alone: RFC 9568's.
    case message
}

/// The Internet checksum (`internetChecksum`) of VRRP messages, with the pseudo-header of version 3.
enum VRRPChecksum {
    /// IP protocol number of VRRP.
    static let protocolNumber: UInt8 = 112

    /// The checksum of `message` (whose checksum field holds zero, or the checksum to verify: then a
    /// correct message sums to 0), after the pseudo-header of `envelope` when given.
    static func compute(_ message: ArraySlice<UInt8>, pseudoHeader envelope: VRRPEnvelope?) -> UInt16 {
        guard let envelope else { return internetChecksum(message) }
        var pseudo = envelope.source.bytes + envelope.destination.bytes
        let length = UInt32(message.count)
        if envelope.source.isIPv4 {
            pseudo += [0, protocolNumber, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        } else {
            // IPv6: a 32-bit upper-layer length, three zero bytes, the next header.
            pseudo += (0..<4).map { UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32($0))) } + [0, 0, 0, protocolNumber]
        }
        return internetChecksum(pseudo + message)
    }
}
