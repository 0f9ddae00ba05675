import CFloatIPLinux
import FloatIPCore
import Glibc

/// The bytes of RTM_NEWADDR and RTM_DELADDR requests. Pure: no socket, so tests compare bytes.
enum AddressRequest {
    /// The longest label the kernel takes (IFNAMSIZ - 1 bytes); 16 or more fail with ERANGE.
    static let maximumLabelLength = Int(IFNAMSIZ) - 1

    /// RTM_NEWADDR: IPv4 gets IFA_LOCAL and IFA_ADDRESS (the same address, as `ip addr add` sends
    /// them), IPv6 gets IFA_ADDRESS; then IFA_LABEL, IFA_CACHEINFO for a finite lifetime, and
    /// IFA_FLAGS with IFA_F_NODAD for IPv6 when `noDAD`. Without `replace`, NLM_F_CREATE|NLM_F_EXCL
    /// (an existing address is EEXIST); with it, NLM_F_CREATE|NLM_F_REPLACE (add, or renew the lifetime).
    static func add(
        _ prefix: IPPrefix, interfaceIndex: Int32, label: String?, lifetime: KernelLifetime, noDAD: Bool,
        replace: Bool, sequence: UInt32
    ) -> [UInt8] {
        let flags = RT.request | RT.ack | RT.create | (replace ? RT.replace : RT.exclusive)
        var message = NetlinkMessageBuilder(type: RT.newAddress, flags: flags, sequence: sequence)
        message.appendStruct(header(prefix, interfaceIndex: interfaceIndex))
        appendAddress(prefix.address, to: &message)
        if let label { message.appendAttribute(RT.addressLabel, string: label) }
        if case .seconds(let valid, let preferred) = lifetime {
            var info = ifa_cacheinfo()
            info.ifa_prefered = preferred
            info.ifa_valid = valid
            message.appendAttribute(RT.addressCacheInfo, withUnsafeBytes(of: info) { Array($0) })
        }
        if noDAD, !prefix.address.isIPv4 { message.appendAttribute(RT.addressFlags, uint32: RT.flagNoDAD) }
        return message.bytes
    }

    /// RTM_DELADDR for one address on one interface.
    static func delete(_ prefix: IPPrefix, interfaceIndex: Int32, sequence: UInt32) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.delAddress, flags: RT.request | RT.ack, sequence: sequence)
        message.appendStruct(header(prefix, interfaceIndex: interfaceIndex))
        appendAddress(prefix.address, to: &message)
        return message.bytes
    }

    /// RTM_GETADDR dump of every address of both families.
    static func dump(sequence: UInt32) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.getAddress, flags: RT.request | RT.ack | RT.dump, sequence: sequence)
        message.appendStruct(ifaddrmsg())
        return message.bytes
    }

    private static func header(_ prefix: IPPrefix, interfaceIndex: Int32) -> ifaddrmsg {
        var header = ifaddrmsg()
        header.ifa_family = prefix.address.family
        header.ifa_prefixlen = UInt8(clamping: prefix.length)
        header.ifa_scope = UInt8(RT_SCOPE_UNIVERSE.rawValue)
        header.ifa_index = UInt32(bitPattern: interfaceIndex)
        return header
    }

    private static func appendAddress(_ address: IPAddress, to message: inout NetlinkMessageBuilder) {
        if address.isIPv4 { message.appendAttribute(RT.addressLocal, address.bytes) }
        message.appendAttribute(RT.addressAddress, address.bytes)
    }
}

/// The bytes of RTM_GETLINK requests.
enum LinkRequest {
    /// RTM_GETLINK dump of every link.
    static func dump(sequence: UInt32) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.getLink, flags: RT.request | RT.ack | RT.dump, sequence: sequence)
        message.appendStruct(ifinfomsg())
        return message.bytes
    }

    /// RTM_GETLINK for one link, by index (when non-zero) or by name (IFLA_IFNAME).
    static func get(index: Int32, name: String?, sequence: UInt32) -> [UInt8] {
        var message = NetlinkMessageBuilder(type: RT.getLink, flags: RT.request | RT.ack, sequence: sequence)
        var header = ifinfomsg()
        header.ifi_index = index
        message.appendStruct(header)
        if let name { message.appendAttribute(RT.linkName, string: name) }
        return message.bytes
    }
}
