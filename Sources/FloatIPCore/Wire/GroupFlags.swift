/// The flags byte of a group entry. Bits 6 and 7 are reserved (zero); bit 5 is defined only with bit 4.
struct GroupFlags: OptionSet {
    let rawValue: UInt8

    static let healthy = GroupFlags(rawValue: 1 << 0)
    static let maintenance = GroupFlags(rawValue: 1 << 1)
    static let active = GroupFlags(rawValue: 1 << 2)
    static let sticky = GroupFlags(rawValue: 1 << 3)
    static let handoverPresent = GroupFlags(rawValue: 1 << 4)
    static let handoverSticky = GroupFlags(rawValue: 1 << 5)
    static let defined: GroupFlags = [.healthy, .maintenance, .active, .sticky, .handoverPresent, .handoverSticky]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init(_ advert: GroupAdvert) {
        var flags: GroupFlags = []
        if advert.healthy { flags.insert(.healthy) }
        if advert.maintenance { flags.insert(.maintenance) }
        if advert.active { flags.insert(.active) }
        if advert.sticky { flags.insert(.sticky) }
        if let handover = advert.handover {
            flags.insert(.handoverPresent)
            if handover.sticky { flags.insert(.handoverSticky) }
        }
        self = flags
    }

    /// Whether only defined bits are set, and the handover-sticky bit only with a handover.
    var isValid: Bool {
        isSubset(of: .defined) && (contains(.handoverPresent) || !contains(.handoverSticky))
    }
}
