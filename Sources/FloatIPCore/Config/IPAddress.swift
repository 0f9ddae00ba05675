/// An IPv4 or IPv6 address, as bytes in network order. Pure value; parsing has no I/O.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    /// The 16 bytes, high half and low half, big-endian.
    case v6(UInt64, UInt64)

    /// An IPv4 address from its four octets.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddress {
        .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    public var isIPv4: Bool { if case .v4 = self { true } else { false } }

    /// The largest prefix length for the family: 32 or 128.
    public var maxPrefixLength: Int { isIPv4 ? 32 : 128 }
}

/// An address with a prefix length, as written in CIDR notation (`198.18.0.10/32`).
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var length: Int

    public init(address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    public var description: String { "\(address)/\(length)" }
}
