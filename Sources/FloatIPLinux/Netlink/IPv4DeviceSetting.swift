/// An IPv4 setting of one interface (`net.ipv4.conf.<interface>.*`), read and written over
/// rtnetlink (IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF), so it applies in the socket's namespace
/// without /proc. The raw value is the kernel's index (IPV4_DEVCONF_*, linux/ip.h, stable ABI;
/// written out because linux/ip.h clashes with glibc's netinet/ip.h).
public enum IPv4DeviceSetting: UInt16, Sendable, CaseIterable {
    /// `arp_announce`: which source address ARP requests use (2: the best one for the target,
    /// never a floating address on another interface).
    case arpAnnounce = 18
    /// `arp_ignore`: which ARP requests are answered (1: only for addresses on the receiving interface).
    case arpIgnore = 19

    /// The sysctl name, e.g. `arp_ignore`.
    public var name: String {
        switch self {
        case .arpAnnounce: "arp_announce"
        case .arpIgnore: "arp_ignore"
        }
    }
}
