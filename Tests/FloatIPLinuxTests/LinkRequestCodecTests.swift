import FloatIPCore
import Testing

@testable import FloatIPLinux

/// Golden bytes of the link requests the virtual MAC needs, field by field (no socket, no root).
struct LinkRequestCodecTests {
    @Test func newMacvlanGolden() {
        let bytes = LinkRequest.newMacvlan(
            name: "fipvm7", parentIndex: 3, mac: VirtualMAC(id: 7).mac, mode: .bridge, sequence: 7)
        let expected = annotatedHex(
            """
            5c000000 1000 0506 07000000 00000000  nlmsghdr: len 92, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 7, pid 0
            00 00 0000 00000000 00000000 00000000  ifinfomsg: AF_UNSPEC, type 0, index 0, flags 0, change 0
            0800 0500 03000000                    IFLA_LINK: parent index 3
            0b00 0300 666970766d3700 00           IFLA_IFNAME "fipvm7" NUL, 1 byte of padding
            0a00 0100 00005e000107 0000           IFLA_ADDRESS 00:00:5e:00:01:07, 2 bytes of padding
            1c00 1200                             IFLA_LINKINFO, 28 bytes
            0c00 0100 6d6163766c616e00              IFLA_INFO_KIND "macvlan" NUL
            0c00 0200                               IFLA_INFO_DATA, 12 bytes
            0800 0100 04000000                        IFLA_MACVLAN_MODE MACVLAN_MODE_BRIDGE
            """)
        #expect(bytes == expected)
    }

    @Test func familySettingsGolden() {
        let bytes = LinkRequest.setFamilySettings(
            index: 3, ipv4: [(.arpIgnore, 1)], noIPv6AddressGeneration: true, sequence: 8)
        let expected = annotatedHex(
            """
            40000000 1000 0500 08000000 00000000  nlmsghdr: len 64, RTM_NEWLINK, REQUEST|ACK (change, no create), seq 8
            00 00 0000 03000000 00000000 00000000  ifinfomsg: index 3
            2000 1a00                             IFLA_AF_SPEC, 32 bytes
            1000 0200                               AF_INET, 16 bytes
            0c00 0100                                 IFLA_INET_CONF, 12 bytes
            0800 1300 01000000                          IPV4_DEVCONF_ARP_IGNORE (19) = 1
            0c00 0a00                               AF_INET6, 12 bytes
            0500 0800 01 000000                       IFLA_INET6_ADDR_GEN_MODE none, 3 bytes of padding
            """)
        #expect(bytes == expected)
    }

    @Test func setUpAndDeleteGolden() {
        #expect(
            LinkRequest.setUp(index: 4, true, sequence: 9)
                == annotatedHex(
                    """
                    20000000 1000 0500 09000000 00000000  nlmsghdr: len 32, RTM_NEWLINK, REQUEST|ACK, seq 9
                    00 00 0000 04000000 01000000 01000000  ifinfomsg: index 4, flags IFF_UP, change IFF_UP
                    """))
        #expect(
            LinkRequest.delete(index: 4, sequence: 10)
                == annotatedHex(
                    """
                    20000000 1100 0500 0a000000 00000000  nlmsghdr: len 32, RTM_DELLINK, REQUEST|ACK, seq 10
                    00 00 0000 04000000 00000000 00000000  ifinfomsg: index 4
                    """))
    }

    @Test func virtualMACNamesAndAddresses() {
        #expect(VirtualMAC(id: 255).interfaceName == "fipvm255")
        #expect(VirtualMAC(id: 1).mac == [0x00, 0x00, 0x5E, 0x00, 0x01, 0x01])
        #expect(LinkInfo(index: 0, name: "x", mac: VirtualMAC(id: 255).mac).macText == "00:00:5e:00:01:ff")
    }
}
