import FloatIPCore
/// ICMP and ICMPv6 echo messages: building requests and reading replies. Pure, no I/O.
enum ICMPEcho {
    /// Echo request and reply types: ICMP (RFC 792) and ICMPv6 (RFC 4443).
    static let requestV4: UInt8 = 8
    static let replyV4: UInt8 = 0
    static let requestV6: UInt8 = 128
    static let replyV6: UInt8 = 129
    /// Bytes of an echo header: type, code, checksum, identifier, sequence.
    static let headerLength = 8

    /// An echo reply as read from the wire.
    struct Reply: Equatable {
        var identifier: UInt16
        var sequence: UInt16
        var payload: [UInt8]
    }

    /// An echo request. For ICMP the checksum is computed here; for ICMPv6 it is left zero
    /// (the kernel computes it over the pseudo-header).
    static func request(ipv6: Bool, identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> [UInt8] {
        var message: [UInt8] = [ipv6 ? requestV6 : requestV4, 0, 0, 0]
        message += [UInt8(identifier >> 8), UInt8(identifier & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        message += payload
        if !ipv6 {
            let checksum = internetChecksum(message)
            message[2] = UInt8(checksum >> 8)
            message[3] = UInt8(checksum & 0xFF)
        }
        return message
    }

    /// The echo reply in `datagram`, or nil if it is anything else or malformed.
    /// `withIPHeader`: the datagram starts with an IPv4 header (raw IPv4 sockets), skipped by its IHL.
    /// ICMP checksums are verified here (a raw socket sees packets before the kernel checks them);
    /// ICMPv6 checksums are the kernel's.
    static func reply(in datagram: some Collection<UInt8>, ipv6: Bool, withIPHeader: Bool) -> Reply? {
        var bytes = Array(datagram)[...]
        if withIPHeader {
            guard let first = bytes.first, first >> 4 == 4 else { return nil }
            let headerLength = Int(first & 0x0F) * 4
            guard headerLength >= 20, bytes.count >= headerLength else { return nil }
            bytes = bytes.dropFirst(headerLength)
        }
        guard bytes.count >= headerLength else { return nil }
        let start = bytes.startIndex
        guard bytes[start] == (ipv6 ? replyV6 : replyV4), bytes[start + 1] == 0 else { return nil }
        if !ipv6, internetChecksum(bytes) != 0 { return nil }
        return Reply(
            identifier: UInt16(bytes[start + 4]) << 8 | UInt16(bytes[start + 5]),
            sequence: UInt16(bytes[start + 6]) << 8 | UInt16(bytes[start + 7]),
            payload: Array(bytes.dropFirst(headerLength)))
    }
}
