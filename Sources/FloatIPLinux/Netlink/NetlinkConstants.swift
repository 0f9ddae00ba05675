import CFloatIPLinux
import Glibc

/// The rtnetlink constants the Linux layer uses, typed once here from the kernel's UAPI headers
/// (imported through CFloatIPLinux, so a wrong value cannot compile). Stable kernel ABI.
enum RT {
    // Message types (linux/netlink.h, linux/rtnetlink.h).
    static let noop = UInt16(NLMSG_NOOP)
    static let error = UInt16(NLMSG_ERROR)
    static let done = UInt16(NLMSG_DONE)
    static let newLink = UInt16(RTM_NEWLINK)
    static let delLink = UInt16(RTM_DELLINK)
    static let getLink = UInt16(RTM_GETLINK)
    static let newAddress = UInt16(RTM_NEWADDR)
    static let delAddress = UInt16(RTM_DELADDR)
    static let getAddress = UInt16(RTM_GETADDR)

    // Header flags.
    static let request = UInt16(NLM_F_REQUEST)
    static let multi = UInt16(NLM_F_MULTI)
    static let ack = UInt16(NLM_F_ACK)
    static let dumpInterrupted = UInt16(NLM_F_DUMP_INTR)
    static let dump = UInt16(NLM_F_DUMP)
    static let replace = UInt16(NLM_F_REPLACE)
    static let exclusive = UInt16(NLM_F_EXCL)
    static let create = UInt16(NLM_F_CREATE)
    /// On NLMSG_ERROR: the echoed request was cut to its header.
    static let capped = UInt16(NLM_F_CAPPED)
    /// On NLMSG_ERROR: extended-ack TLVs follow the (echoed) request.
    static let ackTLVs = UInt16(NLM_F_ACK_TLVS)

    // Extended-ack attributes in NLMSG_ERROR (enum nlmsgerr_attrs).
    static let errorAttributeMessage = UInt16(NLMSGERR_ATTR_MSG.rawValue)
    static let errorAttributeOffset = UInt16(NLMSGERR_ATTR_OFFS.rawValue)

    // Address attributes (linux/if_addr.h).
    static let addressAddress = UInt16(IFA_ADDRESS)
    static let addressLocal = UInt16(IFA_LOCAL)
    static let addressLabel = UInt16(IFA_LABEL)
    static let addressCacheInfo = UInt16(IFA_CACHEINFO)
    static let addressFlags = UInt16(IFA_FLAGS)
    static let flagNoDAD = UInt32(IFA_F_NODAD)
    /// The lifetime the kernel reports and takes for "forever" (INFINITY_LIFE_TIME).
    static let infiniteLifetime = UInt32.max

    // Link attributes (linux/if_link.h).
    static let linkAddress = UInt16(IFLA_ADDRESS)
    static let linkName = UInt16(IFLA_IFNAME)
    static let linkMTU = UInt16(IFLA_MTU)
    static let linkOperState = UInt16(IFLA_OPERSTATE)
    static let linkInfo = UInt16(IFLA_LINKINFO)
    static let linkInfoKind = UInt16(IFLA_INFO_KIND)
    static let linkInfoData = UInt16(IFLA_INFO_DATA)
    /// IFLA_LINK: the index of the link a stacked link (macvlan, vlan) sits on.
    static let linkParent = UInt16(IFLA_LINK)
    /// IFLA_AF_SPEC: per-family settings, nested by address family.
    static let linkFamilySpecific = UInt16(IFLA_AF_SPEC)
    /// IFLA_INET_CONF inside IFLA_AF_SPEC/AF_INET: the device's IPv4 settings (ipv4_devconf), an
    /// array of u32 where attribute type N is setting N (IPV4_DEVCONF_*).
    static let inetConf = UInt16(IFLA_INET_CONF)
    /// IFLA_INET6_ADDR_GEN_MODE inside IFLA_AF_SPEC/AF_INET6 (u8), and its value "none".
    static let inet6AddressGenerationMode = UInt16(IFLA_INET6_ADDR_GEN_MODE)
    static let addressGenerationNone = UInt8(IN6_ADDR_GEN_MODE_NONE.rawValue)
    /// IFLA_MACVLAN_MODE inside IFLA_INFO_DATA (u32, MACVLAN_MODE_*).
    static let macvlanMode = UInt16(IFLA_MACVLAN_MODE)
    /// IF_OPER_UP (linux/if.h, which clashes with glibc's net/if.h, so written out: RFC 2863 ifOperStatus).
    static let operStateUp: UInt8 = 6

    // Multicast groups (enum rtnetlink_groups): group numbers for NETLINK_ADD_MEMBERSHIP.
    static let groupLink = Int32(RTNLGRP_LINK.rawValue)
    static let groupIPv4Address = Int32(RTNLGRP_IPV4_IFADDR.rawValue)
    static let groupIPv6Address = Int32(RTNLGRP_IPV6_IFADDR.rawValue)

    // Socket options at SOL_NETLINK.
    static let optionAddMembership = Int32(NETLINK_ADD_MEMBERSHIP)
    static let optionExtendedAck = Int32(NETLINK_EXT_ACK)
    static let optionCapAck = Int32(NETLINK_CAP_ACK)

    static let protocolRoute = Int32(NETLINK_ROUTE)
    static let interfaceUp = UInt32(IFF_UP)
    static let interfaceRunning = UInt32(IFF_RUNNING)

    /// The low 14 bits of rta_type are the attribute number; the top two are NLA_F_NESTED and
    /// NLA_F_NET_BYTEORDER.
    static let attributeTypeMask: UInt16 = 0x3FFF

    /// Size of the header of a netlink message (NLMSG_HDRLEN) and of an attribute (RTA_LENGTH(0)).
    static let messageHeaderLength = 16
    static let attributeHeaderLength = 4

    /// NLMSG_ALIGN and RTA_ALIGN: both round up to 4 bytes.
    static func align(_ length: Int) -> Int { (length + 3) & ~3 }
}
