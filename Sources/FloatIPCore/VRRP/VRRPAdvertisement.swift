/// One VRRP advertisement (RFC 3768 for version 2, RFC 5798 as clarified by RFC 9568 for version 3):
/// what a master (or a node giving up, with priority 0) tells its virtual router. Pure value.
///
/// The layout: version and type (4 bits each), the virtual router id, the priority, the address
/// count; then version 2's authentication type and advertisement interval in whole seconds, or
/// version 3's 12-bit maximum advertisement interval in centiseconds; the checksum; the addresses
/// (all IPv4 or all IPv6); and version 2's 8 bytes of authentication data.
public struct VRRPAdvertisement: Sendable, Equatable {
    /// 2 or 3.
    public var version: UInt8
    /// The virtual router id, 1–255.
    public var vrid: UInt8
    /// 0 (the master stops: backups take over at once), 1–254, or 255 (the address owner).
    public var priority: UInt8
    /// The advertisement interval: whole seconds (version 2, 1–255) or centiseconds (version 3, 1–4095).
    public var interval: UInt16
    /// The virtual addresses, all of one family (version 2: IPv4 only). At most 255.
    public var addresses: [IPAddress]
    /// Version 2's authentication (keepalived's `authentication { auth_type PASS }`); `.none` in version 3.
    public var authentication: VRRPAuthentication

    public init(
        version: UInt8, vrid: UInt8, priority: UInt8, interval: UInt16, addresses: [IPAddress],
        authentication: VRRPAuthentication = .none
    ) {
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.interval = interval
        self.addresses = addresses
        self.authentication = authentication
    }

    /// Whether the addresses are IPv6 (an advertisement without addresses counts as IPv4).
    public var isIPv6: Bool { addresses.first.map { !$0.isIPv4 } ?? false }

    /// The interval as a duration: seconds in version 2, centiseconds in version 3.
    public var intervalDuration: Duration {
        version == 2 ? .seconds(Int(interval)) : .milliseconds(Int(interval) * 10)
    }
}

/// Version 2's authentication field (RFC 3768 keeps type 1 only for compatibility with RFC 2338;
/// keepalived still offers it as `auth_type PASS`). Type 2 (IP authentication header) is refused.
public enum VRRPAuthentication: Sendable, Equatable {
    case none
    /// A clear-text password of 1–8 bytes, sent padded with zeros to 8.
    case password([UInt8])

    /// The type byte: 0 or 1.
    var type: UInt8 {
        if case .password = self { 1 } else { 0 }
    }

    /// The 8 bytes sent after the addresses.
    var data: [UInt8] {
        guard case .password(let bytes) = self else { return Array(repeating: 0, count: 8) }
        return Array(bytes.prefix(8)) + Array(repeating: 0, count: max(0, 8 - bytes.count))
    }
}

/// Where an advertisement was sent from and to, as the IP header (IPv4) or the socket (IPv6) says:
/// the checksum of version 3 covers a pseudo-header made of them.
public struct VRRPEnvelope: Sendable, Equatable {
    public var source: IPAddress
    public var destination: IPAddress
    /// The IPv4 TTL or IPv6 hop limit the packet arrived with: anything but 255 has crossed a router.
    public var hopLimit: UInt8

    public init(source: IPAddress, destination: IPAddress, hopLimit: UInt8 = 255) {
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
    }

    /// The VRRP multicast group of a family: 224.0.0.18 or ff02::12.
    public static func multicastGroup(ipv6: Bool) -> IPAddress {
        ipv6 ? .v6(0xff02_0000_0000_0000, 0x12) : .ipv4(224, 0, 0, 18)
    }
}
