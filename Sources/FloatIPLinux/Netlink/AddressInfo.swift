import CFloatIPLinux
import FloatIPCore
import Glibc

/// How long the kernel keeps an address: forever, or until its valid lifetime runs out
/// (IFA_CACHEINFO). A holder renews a finite lifetime with `addAddress(…, replace: true)`.
public enum KernelLifetime: Sendable, Hashable {
    case forever
    /// Seconds until the kernel deletes the address (`valid`) and until it stops using it as a
    /// source for new connections (`preferred`, at most `valid`).
    case seconds(valid: UInt32, preferred: UInt32)
}

/// The address family of an `AddressInfo`.
public enum AddressFamily: Sendable, Hashable {
    case ipv4
    case ipv6
}

/// An address configured on an interface, as the kernel reports it (RTM_NEWADDR).
public struct AddressInfo: Sendable, Hashable, CustomStringConvertible {
    public var prefix: IPPrefix
    public var interfaceIndex: Int32
    /// The IPv4 label (`eth0:vip`); nil for IPv6, which has none.
    public var label: String?
    /// IFA_F_* flags (IFA_FLAGS when present, else the 8-bit ifa_flags).
    public var flags: UInt32
    /// RT_SCOPE_* (0 universe/global, 253 link, 254 host).
    public var scope: UInt8
    /// Seconds of valid lifetime left; nil means forever.
    public var validLifetime: UInt32?
    /// Seconds of preferred lifetime left; nil means forever.
    public var preferredLifetime: UInt32?

    public init(
        prefix: IPPrefix, interfaceIndex: Int32, label: String? = nil, flags: UInt32 = 0, scope: UInt8 = 0,
        validLifetime: UInt32? = nil, preferredLifetime: UInt32? = nil
    ) {
        self.prefix = prefix
        self.interfaceIndex = interfaceIndex
        self.label = label
        self.flags = flags
        self.scope = scope
        self.validLifetime = validLifetime
        self.preferredLifetime = preferredLifetime
    }

    public var family: AddressFamily { prefix.address.isIPv4 ? .ipv4 : .ipv6 }

    public var description: String {
        var text = "\(prefix) on index \(interfaceIndex)"
        if let label { text += " label \(label)" }
        if let validLifetime { text += " valid \(validLifetime)s" }
        return text
    }

    /// Decodes the payload of RTM_NEWADDR / RTM_DELADDR (ifaddrmsg, then attributes). Nil for a
    /// family other than IPv4/IPv6 or a message without a well-formed address.
    init?(payload: ArraySlice<UInt8>) {
        let headerSize = MemoryLayout<ifaddrmsg>.size
        guard let family = payload.first, let length = payload.load(UInt8.self, at: 1),
            let headerFlags = payload.load(UInt8.self, at: 2), let scope = payload.load(UInt8.self, at: 3),
            let index = payload.load(UInt32.self, at: 4), payload.count >= headerSize
        else { return nil }
        let attributes = NetlinkAttributes(payload.dropFirst(headerSize))
        // IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on point-to-point).
        guard let bytes = attributes[RT.addressLocal] ?? attributes[RT.addressAddress],
            let address = IPAddress(family: family, bytes: bytes),
            Int(length) <= address.maxPrefixLength
        else { return nil }
        self.prefix = IPPrefix(address: address, length: Int(length))
        self.interfaceIndex = Int32(bitPattern: index)
        self.label = attributes.string(RT.addressLabel)
        self.flags = attributes.uint32(RT.addressFlags) ?? UInt32(headerFlags)
        self.scope = scope
        // struct ifa_cacheinfo { u32 ifa_prefered; u32 ifa_valid; u32 cstamp; u32 tstamp; }
        let cache = attributes[RT.addressCacheInfo]
        let preferred = cache?.load(UInt32.self, at: 0)
        let valid = cache?.load(UInt32.self, at: 4)
        self.preferredLifetime = preferred == RT.infiniteLifetime ? nil : preferred
        self.validLifetime = valid == RT.infiniteLifetime ? nil : valid
    }
}

extension IPAddress {
    /// An address from its family (AF_INET, AF_INET6) and network-order bytes; nil if they do not fit.
    init?(family: UInt8, bytes: ArraySlice<UInt8>) {
        switch Int32(family) {
        case AF_INET:
            guard bytes.count == 4 else { return nil }
            self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case AF_INET6:
            guard bytes.count == 16 else { return nil }
            let high = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high, low)
        default:
            return nil
        }
    }

    var family: UInt8 { UInt8(isIPv4 ? AF_INET : AF_INET6) }
}
