import CFloatIPLinux
import Glibc

/// The bytes of the requests that create, change and delete links. Pure, so tests compare bytes.
extension LinkRequest {
    /// RTM_NEWLINK creating a macvlan `name` on the link `parentIndex` with the hardware address
    /// `mac`: IFLA_LINK, IFLA_IFNAME, IFLA_ADDRESS, IFLA_LINKINFO { IFLA_INFO_KIND "macvlan",
    /// IFLA_INFO_DATA { IFLA_MACVLAN_MODE } }. NLM_F_CREATE|NLM_F_EXCL: an existing name is EEXIST.
    static func newMacvlan(
        name: String, parentIndex: Int32, mac: [UInt8], mode: MacvlanMode, sequence: UInt32
    ) -> [UInt8] {
        let flags = RT.request | RT.ack | RT.create | RT.exclusive
        var message = NetlinkMessageBuilder(type: RT.newLink, flags: flags, sequence: sequence)
        message.appendStruct(ifinfomsg())
        message.appendAttribute(RT.linkParent, uint32: UInt32(bitPattern: parentIndex))
        message.appendAttribute(RT.linkName, string: name)
        message.appendAttribute(RT.linkAddress, mac)
        message.appendNested(RT.linkInfo) { info in
            info.appendAttribute(RT.linkInfoKind, string: "macvlan")
            info.appendNested(RT.linkInfoData) { data in
                data.appendAttribute(RT.macvlanMode, uint32: mode.rawValue)
            }
        }
        return message.bytes
    }

    /// RTM_NEWLINK (no NLM_F_CREATE: change an existing link) setting IFF_UP on or off.
    static func setUp(index: Int32, _ up: Bool, sequence: UInt32) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.newLink, flags: RT.request | RT.ack, sequence: sequence)
        var header = ifinfomsg()
        header.ifi_index = index
        header.ifi_flags = up ? RT.interfaceUp : 0
        header.ifi_change = RT.interfaceUp
        message.appendStruct(header)
        return message.bytes
    }

    /// RTM_NEWLINK changing per-family settings of an existing link: IFLA_AF_SPEC { AF_INET {
    /// IFLA_INET_CONF { setting: u32 … } }, AF_INET6 { IFLA_INET6_ADDR_GEN_MODE none } }; each
    /// family only when asked for.
    static func setFamilySettings(
        index: Int32, ipv4: [(IPv4DeviceSetting, UInt32)], noIPv6AddressGeneration: Bool, sequence: UInt32
    ) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.newLink, flags: RT.request | RT.ack, sequence: sequence)
        var header = ifinfomsg()
        header.ifi_index = index
        message.appendStruct(header)
        message.appendNested(RT.linkFamilySpecific) { spec in
            if !ipv4.isEmpty {
                spec.appendNested(UInt16(AF_INET)) { inet in
                    inet.appendNested(RT.inetConf) { conf in
                        for (setting, value) in ipv4 { conf.appendAttribute(setting.rawValue, uint32: value) }
                    }
                }
            }
            if noIPv6AddressGeneration {
                spec.appendNested(UInt16(AF_INET6)) { inet6 in
                    inet6.appendAttribute(RT.inet6AddressGenerationMode, uint8: RT.addressGenerationNone)
                }
            }
        }
        return message.bytes
    }

    /// RTM_DELLINK for the link `index`.
    static func delete(index: Int32, sequence: UInt32) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.delLink, flags: RT.request | RT.ack, sequence: sequence)
        var header = ifinfomsg()
        header.ifi_index = index
        message.appendStruct(header)
        return message.bytes
    }
}
