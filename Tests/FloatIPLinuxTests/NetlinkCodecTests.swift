import FloatIPCore
import Testing

@testable import FloatIPLinux

/// The wire bytes, without a socket or root: golden requests, the kernel's answers, hostile input.
struct NetlinkCodecTests {
    @Test func newAddressIPv4Golden() {
        let bytes = AddressRequest.add(
            prefix("198.18.0.10/32"), interfaceIndex: 3, label: "eth0:vip", lifetime: .seconds(valid: 30, preferred: 20),
            noDAD: true, replace: false, sequence: 7)
        let expected = annotatedHex(
            """
            4c000000 1400 0506 07000000 00000000  nlmsghdr: len 76, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE, seq 7, pid 0
            02 20 00 00 03000000                  ifaddrmsg: AF_INET, /32, flags 0, scope universe, index 3
            0800 0200 c612000a                    IFA_LOCAL 198.18.0.10
            0800 0100 c612000a                    IFA_ADDRESS 198.18.0.10
            0d00 0300 657468303a76697000 000000   IFA_LABEL "eth0:vip" NUL, 3 bytes of padding
            1400 0600 14000000 1e000000 00000000 00000000  IFA_CACHEINFO preferred 20, valid 30, cstamp, tstamp
            """)
        #expect(bytes == expected)
    }

    @Test func replaceIPv6NoDADGolden() {
        let bytes = AddressRequest.add(
            prefix("2001:2::10/128"), interfaceIndex: 5, label: nil, lifetime: .forever, noDAD: true, replace: true,
            sequence: 0x0102_0304)
        let expected = annotatedHex(
            """
            34000000 1400 0505 04030201 00000000  nlmsghdr: len 52, RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE, seq
            0a 80 00 00 05000000                  ifaddrmsg: AF_INET6, /128, flags 0, scope universe, index 5
            1400 0100 20010002000000000000000000000010  IFA_ADDRESS 2001:2::10
            0800 0800 02000000                    IFA_FLAGS IFA_F_NODAD
            """)
        #expect(bytes == expected)
    }

    @Test func deleteGolden() {
        let bytes = AddressRequest.delete(prefix("198.18.0.10/32"), interfaceIndex: 3, sequence: 9)
        let expected = annotatedHex(
            """
            28000000 1500 0500 09000000 00000000  nlmsghdr: len 40, RTM_DELADDR, REQUEST|ACK, seq 9
            02 20 00 00 03000000                  ifaddrmsg
            0800 0200 c612000a                    IFA_LOCAL
            0800 0100 c612000a                    IFA_ADDRESS
            """)
        #expect(bytes == expected)
    }

    @Test func errorWithExtendedAckDecodes() throws {
        let text = Array("ipv4: Address already assigned".utf8) + [0]
        var datagram = annotatedHex(
            """
            00000000 0200 0003 07000000 2a000000  nlmsghdr: len (set below), NLMSG_ERROR, CAPPED|ACK_TLVS, seq 7
            efffffff                              error -17 (EEXIST)
            4c000000 1400 0506 07000000 00000000  the request's header, capped
            """)
        datagram += [UInt8(4 + text.count), 0, 1, 0] + text + [0]  // NLMSGERR_ATTR_MSG, padded to 4
        datagram[0] = UInt8(datagram.count)
        let messages = try NetlinkMessage.split(datagram)
        #expect(messages.count == 1 && messages[0].sequence == 7)
        let ack = try #require(try NetlinkAck(messages[0]))
        #expect(ack == NetlinkAck(errno: 17, message: "ipv4: Address already assigned"))
    }

    @Test func addressPayloadDecodes() throws {
        // What RTM_NEWADDR from the kernel looks like: ifaddrmsg, IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_FLAGS, IFA_CACHEINFO.
        let payload = annotatedHex(
            """
            02 20 80 00 03000000
            0800 0100 c612000a
            0800 0200 c612000a
            0c00 0300 6574683000 000000
            0800 0800 80000000
            1400 0600 ffffffff 02000000 00000000 00000000
            """)
        let info = try #require(AddressInfo(payload: payload[...]))
        #expect(info.prefix == prefix("198.18.0.10/32") && info.interfaceIndex == 3 && info.label == "eth0")
        #expect(info.flags == 0x80 && info.preferredLifetime == nil && info.validLifetime == 2)
    }

    /// Random, truncated and corrupted input never traps; it decodes to nil or a typed error.
    @Test func hostileInputNeverTraps() {
        var random = SystemRandomNumberGenerator()
        let valid = AddressRequest.add(
            prefix("2001:2::10/128"), interfaceIndex: 5, label: nil, lifetime: .seconds(valid: 9, preferred: 9),
            noDAD: true, replace: false, sequence: 1)
        for _ in 0..<5000 {
            var bytes = valid
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 1:
                for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &random)] = .random(in: 0...255, using: &random) }
            default: bytes = (0..<Int.random(in: 0...96, using: &random)).map { _ in .random(in: 0...255, using: &random) }
            }
            if let messages = try? NetlinkMessage.split(bytes) {
                for message in messages {
                    _ = NetlinkEvent(message)
                    _ = try? NetlinkAck(message)
                    _ = LinkInfo(payload: message.payload)
                }
            }
            _ = AddressInfo(payload: bytes.dropFirst(16))
            _ = LinkInfo(payload: bytes[...])
            _ = NetlinkAttributes(bytes[...])
        }
    }

    @Test func shortLengthIsATypedError() {
        #expect(throws: NetlinkDecodeError(what: "message length 8", offset: 0)) {
            try NetlinkMessage.split(annotatedHex("08000000 0300 0000 00000000 00000000"))
        }
        #expect(throws: NetlinkDecodeError(what: "message length 255", offset: 0)) {
            try NetlinkMessage.split(annotatedHex("ff000000 0300 0000 00000000 00000000"))
        }
    }
}
