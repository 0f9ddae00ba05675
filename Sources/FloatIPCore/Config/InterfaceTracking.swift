/// Interface tracking (docs/config.md, "Interface tracking"): every group whose addresses go on a local
/// interface (`interface:`) tracks that interface's link by default, as keepalived tracks the interface
/// of a VRRP instance. A node whose link is down is in `fault` for the groups on it (it releases their
/// addresses), and becomes a candidate again only once the link has stayed up for the rise window.
///
/// The tracking is a required `interface` check: the explicit one the config has on that interface if
/// there is one (its rise, fall and effect are the operator's), else an implicit check `link IFACE` with
/// the timing below. `track_interface: false` on a group turns it off for that group.
public enum InterfaceTracking {
    /// Time between two runs of an implicit check. A link event that turns the answer runs it at once too
    /// (netlink), so the interval only paces the count of the rise window.
    public static let interval: Duration = .milliseconds(500)
    /// Bounds the first run, which subscribes to link events; later runs answer from memory.
    public static let timeout: Duration = .milliseconds(400)
    /// One failing run (the link-down event) puts the node in `fault` at once.
    public static let fall = 1
    /// Passing runs in a row before the node is a candidate again: the one at the link-up event, then one
    /// per interval, so the link must stay up (rise − 2) × interval to (rise − 1) × interval: 2.5 to 3 s.
    public static let rise = 7

    /// The name of the implicit check on `interface`: `link eth0`. No configured check can have it (names
    /// have no spaces).
    public static func checkName(_ interface: String) -> String { "link \(interface)" }

    /// The implicit check on `interface`.
    public static func check(_ interface: String) -> CheckConfig {
        CheckConfig(
            name: checkName(interface), kind: .interface, target: interface, interval: interval, timeout: timeout,
            rise: rise, fall: fall, effect: .required, implicit: true)
    }

    /// The shortest time the link must stay up before a node that lost it is a candidate again.
    public static var riseWindow: Duration { interval * (rise - 2) }
}

extension GroupConfig {
    /// Every interface whose link this group tracks: each one its addresses go on (a group across
    /// interfaces is in `fault` when any of its links is down), none with `track_interface: false`.
    public var trackedInterfaces: [String] { trackInterface ? interfaces : [] }

    /// Whether `check` applies to this group: tracking (`track:`) always; the `interface` checks on the
    /// group's tracked interface always; an implicit check only there; any other check when the group's
    /// `checks:` names it (or has no list).
    public func uses(_ check: CheckConfig) -> Bool {
        if check.kind == .track { return true }
        if check.kind == .interface, trackedInterfaces.contains(check.target) { return true }
        if check.implicit { return false }
        return checks?.contains(check.name) ?? true
    }
}

extension ClusterConfig {
    /// The interfaces the groups track, in the order of the groups, each once.
    public var trackedInterfaces: [String] {
        groups.flatMap(\.trackedInterfaces).reduce(into: []) { seen, name in
            if !seen.contains(name) { seen.append(name) }
        }
    }

    /// The checks that track each tracked interface: an explicit `interface` check on it (the first, if the
    /// config has several), else the implicit `link IFACE`.
    public var interfaceTracking: [(interface: String, check: CheckConfig)] {
        trackedInterfaces.map { name in
            (name, checks.first { $0.kind == .interface && $0.target == name } ?? InterfaceTracking.check(name))
        }
    }

    /// The implicit checks the agent adds: one per tracked interface that no explicit check watches.
    public var implicitInterfaceChecks: [CheckConfig] { interfaceTracking.map(\.check).filter(\.implicit) }
}
