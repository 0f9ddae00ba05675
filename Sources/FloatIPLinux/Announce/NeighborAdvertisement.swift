/// Builds unsolicited neighbour advertisements (RFC 4861 §4.4, §7.2.6): the ICMPv6 message only,
/// 32 bytes. Pure, no I/O. The checksum field is left zero: the kernel fills it in for raw ICMPv6.
public enum NeighborAdvertisement {
    /// ICMPv6 header (4) + flags and reserved (4) + target (16) + target link-layer option (8).
    public static let length = 32
    /// ICMPv6 type of a neighbour advertisement.
    static let type: UInt8 = 136
    /// The Override flag (first bit is Router, second Solicited, third Override).
    static let overrideFlag: UInt8 = 0x20
    /// Option type "target link-layer address".
    static let targetLinkLayerOption: UInt8 = 2

    /// An advertisement of `target` (16 bytes, network order) at `mac` (6 bytes), with only the
    /// Override flag: not a router, not solicited (a solicited NA to ff02::1 is invalid).
    public static func unsolicited(target: [UInt8], mac: [UInt8]) -> [UInt8] {
        precondition(target.count == 16, "an IPv6 address has 16 bytes")
        precondition(mac.count == 6, "an Ethernet address has 6 bytes")
        var message: [UInt8] = []
        message.reserveCapacity(length)
        message += [type, 0, 0, 0]  // type, code, checksum (kernel)
        message += [overrideFlag, 0, 0, 0]  // flags, reserved
        message += target
        message += [targetLinkLayerOption, 1] + mac  // option type, length in units of 8 bytes, MAC
        return message
    }
}
