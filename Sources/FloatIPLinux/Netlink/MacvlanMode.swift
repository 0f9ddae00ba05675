import CFloatIPLinux

/// How a macvlan link forwards between itself and the other macvlans on the same parent
/// (IFLA_MACVLAN_MODE). Frames to and from the wire behave the same in every mode; the parent
/// itself never exchanges frames with its macvlans.
public enum MacvlanMode: UInt32, Sendable, CaseIterable {
    /// No frames between macvlans of one parent, not even reflected by the switch.
    case `private` = 1
    /// Frames between macvlans of one parent go out to the switch (which must hairpin them).
    case vepa = 2
    /// Frames between macvlans of one parent are delivered directly (the kernel bridges them).
    case bridge = 4

    /// The mode's name as `ip -d link` prints it.
    public var name: String {
        switch self {
        case .private: "private"
        case .vepa: "vepa"
        case .bridge: "bridge"
        }
    }
}
