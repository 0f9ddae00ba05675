import FloatIPCore
import Testing

@testable import FloatIPLinux

/// Bytes from hex fields, one argument per field so each can carry its comment.
private func hex(_ fields: String...) -> [UInt8] {
    fields.joined(separator: " ").split(separator: " ").compactMap { UInt8($0, radix: 16) }
}

private let payload: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04]

@Suite struct PingPacketTests {
    @Test func checksumFollowsRFC1071() {
        // RFC 1071 §3's example: the words sum to 0xddf2, so the checksum is its complement.
        #expect(internetChecksum(hex("00 01 f2 03 f4 f5 f6 f7")) == 0x220D)
        #expect(internetChecksum(hex("00 01 f2")) == ~UInt16(0xF201))  // odd length: padded with zero
        #expect(internetChecksum(hex("00 01 f2 03 f4 f5 f6 f7 22 0d")) == 0)  // data with its checksum sums to zero
        #expect(internetChecksum([UInt8]()) == 0xFFFF)
    }

    @Test func echoRequestIPv4() {
        let request = ICMPEcho.request(ipv6: false, identifier: 0x1234, sequence: 7, payload: payload)
        let expected = hex(
            "08",  // type 8: echo request
            "00",  // code 0
            "44 21",  // checksum over the whole message
            "12 34",  // identifier
            "00 07",  // sequence number
            "de ad be ef 01 02 03 04"  // payload: the pinger's token
        )
        #expect(request == expected)
        #expect(internetChecksum(request) == 0)
    }

    @Test func echoRequestIPv6() {
        let request = ICMPEcho.request(ipv6: true, identifier: 0x1234, sequence: 7, payload: payload)
        let expected = hex(
            "80",  // type 128: echo request
            "00",  // code 0
            "00 00",  // checksum: the kernel computes it (pseudo-header)
            "12 34",  // identifier
            "00 07",  // sequence number
            "de ad be ef 01 02 03 04"  // payload
        )
        #expect(request == expected)
    }

    @Test func replyIPv4SkipsTheIPHeaderByItsLength() {
        var reply = ICMPEcho.request(ipv6: false, identifier: 0x1234, sequence: 7, payload: payload)
        reply[0] = ICMPEcho.replyV4
        reply[2] = 0
        reply[3] = 0
        let checksum = internetChecksum(reply)
        reply[2] = UInt8(checksum >> 8)
        reply[3] = UInt8(checksum & 0xFF)
        let header = hex("45 00 00 24 00 00 40 00 40 01 00 00 c6 12 00 03 c6 12 00 01")  // IHL 5
        let parsed = ICMPEcho.reply(in: header + reply, ipv6: false, withIPHeader: true)
        #expect(parsed == ICMPEcho.Reply(identifier: 0x1234, sequence: 7, payload: payload))
        // IHL 6: a header with 4 bytes of options.
        let withOptions = hex("46 00 00 28 00 00 40 00 40 01 00 00 c6 12 00 03 c6 12 00 01 01 01 01 00")
        #expect(ICMPEcho.reply(in: withOptions + reply, ipv6: false, withIPHeader: true)?.sequence == 7)
        // A ping socket delivers no IP header.
        #expect(ICMPEcho.reply(in: reply, ipv6: false, withIPHeader: false)?.identifier == 0x1234)
        // Corrupted: the checksum no longer holds.
        var corrupted = reply
        corrupted[9] ^= 0xFF
        #expect(ICMPEcho.reply(in: header + corrupted, ipv6: false, withIPHeader: true) == nil)
    }

    @Test func replyIPv6() {
        var reply = ICMPEcho.request(ipv6: true, identifier: 0xBEEF, sequence: 65_535, payload: payload)
        reply[0] = ICMPEcho.replyV6
        #expect(
            ICMPEcho.reply(in: reply, ipv6: true, withIPHeader: false)
                == ICMPEcho.Reply(identifier: 0xBEEF, sequence: 65_535, payload: payload))
        // A request is not a reply.
        let request = ICMPEcho.request(ipv6: true, identifier: 0xBEEF, sequence: 1, payload: payload)
        #expect(ICMPEcho.reply(in: request, ipv6: true, withIPHeader: false) == nil)
    }

    @Test func truncatedAndRandomInputNeverCrashes() {
        var reply = ICMPEcho.request(ipv6: true, identifier: 1, sequence: 2, payload: payload)
        reply[0] = ICMPEcho.replyV6
        for length in 0..<ICMPEcho.headerLength {
            #expect(ICMPEcho.reply(in: reply.prefix(length), ipv6: true, withIPHeader: false) == nil)
        }
        #expect(ICMPEcho.reply(in: hex("4f 00 00 00"), ipv6: false, withIPHeader: true) == nil)  // IHL 60, 4 bytes
        #expect(ICMPEcho.reply(in: hex("41 00 00 00 00 00 00 00"), ipv6: false, withIPHeader: true) == nil)  // IHL 4
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...80, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = ICMPEcho.reply(in: bytes, ipv6: false, withIPHeader: true)
            _ = ICMPEcho.reply(in: bytes, ipv6: true, withIPHeader: false)
        }
    }

    @Test func errorsSayWhatToDo() {
        #expect(
            PingError.needsPermission.description
                == "ICMP echo needs CAP_NET_RAW (run as root) or a group inside net.ipv4.ping_group_range")
        #expect(
            PingError.failed(what: "ping 198.18.9.9", SystemError(call: "sendto", errno: 101)).description
                == "ping 198.18.9.9: sendto: Network is unreachable (errno 101)")
    }
}
