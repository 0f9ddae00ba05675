import CFloatIPLinux
import Glibc

/// A network interface, as the kernel reports it (RTM_NEWLINK).
public struct LinkInfo: Sendable, Hashable, CustomStringConvertible {
    public var index: Int32
    public var name: String
    /// The hardware address (6 bytes on Ethernet); empty if the link has none.
    public var mac: [UInt8]
    public var mtu: UInt32
    /// IFF_* flags (ifi_flags).
    public var flags: UInt32
    /// RFC 2863 operational state (IF_OPER_*: 6 is up, 2 down, 0 unknown); nil if not reported.
    public var operState: UInt8?
    /// The driver kind from IFLA_LINKINFO (`veth`, `bridge`, …); nil for physical links and loopback.
    public var kind: String?
    /// The link this one sits on (IFLA_LINK: a macvlan's or veth's parent or peer); nil if none.
    public var parentIndex: Int32?
    /// The interface's IPv4 settings as the kernel reports them (IFLA_INET_CONF: element N-1 is
    /// IPV4_DEVCONF_N); empty when the link has no IPv4 state.
    var ipv4Settings: [UInt32] = []

    public init(
        index: Int32, name: String, mac: [UInt8] = [], mtu: UInt32 = 1500, flags: UInt32 = 0,
        operState: UInt8? = nil, kind: String? = nil
    ) {
        self.index = index
        self.name = name
        self.mac = mac
        self.mtu = mtu
        self.flags = flags
        self.operState = operState
        self.kind = kind
    }

    /// Administratively up (IFF_UP).
    public var isUp: Bool { flags & RT.interfaceUp != 0 }

    /// Able to pass traffic: IFF_RUNNING (carrier), and the operational state up when the driver
    /// reports one (loopback and some virtual links report "unknown", which counts as running).
    public var isRunning: Bool {
        guard flags & RT.interfaceRunning != 0 else { return false }
        guard let operState, operState != 0 else { return true }
        return operState == RT.operStateUp
    }

    /// The interface's own value of an IPv4 setting (the kernel uses the larger of it and `all`'s
    /// for `arp_ignore` and `arp_announce`); nil if not reported.
    public func value(of setting: IPv4DeviceSetting) -> UInt32? {
        let position = Int(setting.rawValue) - 1
        return ipv4Settings.indices.contains(position) ? ipv4Settings[position] : nil
    }

    /// The MAC as `aa:bb:cc:dd:ee:ff` (lower case), as `ip link` prints it.
    public var macText: String {
        mac.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    public var description: String {
        "\(name) (index \(index)) \(isUp ? "up" : "down")\(isRunning ? " running" : "") mtu \(mtu) \(macText)"
    }

    /// Decodes the payload of RTM_NEWLINK / RTM_DELLINK (ifinfomsg, then attributes); nil when
    /// the header is short or the name is missing.
    init?(payload: ArraySlice<UInt8>) {
        let headerSize = MemoryLayout<ifinfomsg>.size
        // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
        guard payload.count >= headerSize, let index = payload.load(Int32.self, at: 4),
            let flags = payload.load(UInt32.self, at: 8)
        else { return nil }
        let attributes = NetlinkAttributes(payload.dropFirst(headerSize))
        guard let name = attributes.string(RT.linkName) else { return nil }
        self.index = index
        self.name = name
        self.mac = attributes[RT.linkAddress].map(Array.init) ?? []
        self.mtu = attributes.uint32(RT.linkMTU) ?? 0
        self.flags = flags
        self.operState = attributes.uint8(RT.linkOperState)
        self.kind = attributes[RT.linkInfo].flatMap { NetlinkAttributes($0).string(RT.linkInfoKind) }
        self.parentIndex = attributes.uint32(RT.linkParent).map { Int32(bitPattern: $0) }
        self.ipv4Settings = Self.ipv4Settings(attributes[RT.linkFamilySpecific])
    }

    /// The u32 array of IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF; a trailing partial value is dropped.
    private static func ipv4Settings(_ familySpecific: ArraySlice<UInt8>?) -> [UInt32] {
        guard let familySpecific, let inet = NetlinkAttributes(familySpecific)[UInt16(AF_INET)],
            let conf = NetlinkAttributes(inet)[RT.inetConf]
        else { return [] }
        return stride(from: 0, to: conf.count - 3, by: 4).compactMap { conf.load(UInt32.self, at: $0) }
    }

    /// The interface index of an RTM_DELLINK payload (the name may be all there is besides).
    static func index(payload: ArraySlice<UInt8>) -> Int32? {
        guard payload.count >= MemoryLayout<ifinfomsg>.size else { return nil }
        return payload.load(Int32.self, at: 4)
    }
}
