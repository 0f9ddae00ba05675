/// What a reload (SIGHUP) of the config file changes, group by group: the pure difference between the
/// running `ClusterConfig` and the one read from disk. The agent applies it (docs/operations.md, "Reload");
/// this decides only what each change is.
public struct ConfigReload: Sendable, Equatable {
    /// What happens to one group.
    public enum GroupChange: Sendable, Equatable {
        /// New in the file: it starts listening and claims by the rules.
        case added
        /// Gone from the file: handed over (make-before-break) where a peer can take it, else released.
        case removed
        /// Its mover can no longer hold it as it is (`why`: the mover kind, its options, the interface or
        /// the virtual MAC changed): handed over, then claimed again with the new settings by the rules.
        case remade(why: String)
        /// Changed settings that take effect in place (`fields`: the changed keys); `addressesAdded` and
        /// `addressesRemoved` go on or off a held group without moving the rest.
        case changed(fields: [String], addressesAdded: [IPPrefix], addressesRemoved: [IPPrefix])
    }

    /// Why the running agent cannot apply the file (each names the key): a reload that has any changes nothing.
    public var refusals: [String] = []
    /// Each group that changes, by name, in the new file's order (removed ones after).
    public var groups: [(name: String, change: GroupChange)] = []
    /// Peers added, removed, or whose address or port changed (by name).
    public var peersAdded: [String] = []
    public var peersRemoved: [String] = []
    public var peersChanged: [String] = []
    /// `timers:` changed (they take effect in place for every group).
    public var timersChanged = false
    /// Checks (under `checks:`, and the implicit interface checks) added, removed or changed, by name.
    public var checksAdded: [String] = []
    public var checksRemoved: [String] = []
    public var checksChanged: [String] = []

    /// Whether anything is to be applied.
    public var isEmpty: Bool {
        groups.isEmpty && peersAdded.isEmpty && peersRemoved.isEmpty && peersChanged.isEmpty && !timersChanged
            && checksAdded.isEmpty && checksRemoved.isEmpty && checksChanged.isEmpty
    }

    public static func == (lhs: ConfigReload, rhs: ConfigReload) -> Bool {
        lhs.refusals == rhs.refusals && lhs.groups.map(\.name) == rhs.groups.map(\.name)
            && lhs.groups.map(\.change) == rhs.groups.map(\.change) && lhs.peersAdded == rhs.peersAdded
            && lhs.peersRemoved == rhs.peersRemoved && lhs.peersChanged == rhs.peersChanged
            && lhs.timersChanged == rhs.timersChanged && lhs.checksAdded == rhs.checksAdded
            && lhs.checksRemoved == rhs.checksRemoved && lhs.checksChanged == rhs.checksChanged
    }

    /// The change of group `name`, nil when it does not change.
    public func change(of name: String) -> GroupChange? { groups.first { $0.name == name }?.change }

    /// The difference from `running` to `new`.
    public init(from running: ClusterConfig, to new: ClusterConfig) {
        refusals = Self.refusals(running, new)
        for group in new.groups {
            guard let old = running.groups.first(where: { $0.name == group.name }) else {
                groups.append((group.name, .added))
                continue
            }
            if let change = Self.change(old, group, coordinated: new.coordination != nil) {
                groups.append((group.name, change))
            }
        }
        for old in running.groups where !new.groups.contains(where: { $0.name == old.name }) {
            groups.append((old.name, .removed))
        }
        (peersAdded, peersChanged, peersRemoved) = Self.compare(running.peers, new.peers, name: \.name)
        timersChanged = running.timers != new.timers
        (checksAdded, checksChanged, checksRemoved) = Self.compare(running.runnableChecks, new.runnableChecks, name: \.name)
    }

    /// The names in `new` but not `old`, in both but different, and in `old` but not `new`.
    private static func compare<Item: Equatable>(
        _ old: [Item], _ new: [Item], name: (Item) -> String
    ) -> (added: [String], changed: [String], removed: [String]) {
        var added: [String] = []
        var changed: [String] = []
        for item in new {
            if let before = old.first(where: { name($0) == name(item) }) {
                if before != item { changed.append(name(item)) }
            } else {
                added.append(name(item))
            }
        }
        let removed = old.map(name).filter { gone in !new.contains { name($0) == gone } }
        return (added, changed, removed)
    }

    /// What the running agent cannot change without a restart, one line per key.
    private static func refusals(_ running: ClusterConfig, _ new: ClusterConfig) -> [String] {
        var found: [String] = []
        func refuse(_ changed: Bool, _ key: String, _ why: String) {
            if changed { found.append("\(key) changed: \(why); restart the agent to apply it") }
        }
        refuse(running.cluster != new.cluster, "cluster", "peers of the running cluster would stop accepting this node")
        refuse(running.node.name != new.node.name, "node.name", "it is this node's identity to its peers and in etcd")
        refuse(
            running.node.address != new.node.address || running.node.port != new.node.port, "node.address / node.port",
            "the peer socket is bound once, at start")
        refuse(running.secretFile != new.secretFile, "secret_file", "write the new secret into the same file instead")
        refuse(running.api != new.api, "api", "the API listens and reads its token once, at start")
        refuse(running.eventLog != new.eventLog, "event_log", "the event log is opened once, at start")
        refuse(running.stateDirectory != new.stateDirectory, "state_dir", "the boot record is kept there")
        refuse(running.coordination != new.coordination, "coordination", "the etcd sessions are made once, at start")
        refuse(running.track != new.track, "track", "its probes are set up once, at start")
        // A VRRP group's speaker (socket, router, password) is made once, at start.
        let vrrp = { (config: ClusterConfig) in config.groups.filter { $0.vrrp != nil } }
        refuse(
            vrrp(running) != vrrp(new),
            "groups with `protocol: vrrp`", "a VRRP group's virtual router is joined once, at start (no group of it may "
                + "be added, removed or changed by a reload)")
        let anycast = { (config: ClusterConfig) in config.groups.filter(\.isAnycast) }
        refuse(
            anycast(running) != anycast(new),
            "groups with `mode: anycast`", "an anycast group is set up once, at start (none may be added, removed or "
                + "changed by a reload)")
        return found
    }

    /// How one group kept by name changes, nil when it does not. `coordinated`: under etcd every move of an
    /// address goes through a claim (no change of addresses in place).
    private static func change(_ old: GroupConfig, _ new: GroupConfig, coordinated: Bool) -> GroupChange? {
        guard old != new else { return nil }
        if old.mover.kind != new.mover.kind { return .remade(why: "mover \(old.mover.kind.rawValue) → \(new.mover.kind.rawValue)") }
        if old.mover.options != new.mover.options { return .remade(why: "mover options changed") }
        if old.interface != new.interface {
            return .remade(why: "interface \(old.interface ?? "none") → \(new.interface ?? "none")")
        }
        if old.virtualMAC != new.virtualMAC { return .remade(why: "virtual_mac changed") }
        if old.addressInterfaces != new.addressInterfaces { return .remade(why: "the addresses' interfaces changed") }
        let added = new.addresses.filter { !old.addresses.contains($0) }
        let removed = old.addresses.filter { !new.addresses.contains($0) }
        let addressesChanged = old.addresses != new.addresses
        if addressesChanged, new.mover.kind != .local || coordinated {
            return .remade(why: "addresses changed (in place only for the local mover without coordination)")
        }
        var fields: [String] = []
        if addressesChanged { fields.append("addresses") }
        if old.priority != new.priority { fields.append("priority") }
        if old.preempt != new.preempt { fields.append("preempt") }
        if old.checks != new.checks { fields.append("checks") }
        if old.addressLifetime != new.addressLifetime { fields.append("address_lifetime") }
        if old.announce != new.announce { fields.append("announce") }
        if old.hooks != new.hooks { fields.append("hooks") }
        if old.trackInterface != new.trackInterface { fields.append("track_interface") }
        return .changed(fields: fields, addressesAdded: added, addressesRemoved: removed)
    }
}

extension ConfigReload {
    /// One line: `groups: api added, web priority; peers: web3 added; timers` or `nothing changed`.
    public var summary: String {
        var parts: [String] = []
        if !groups.isEmpty {
            parts.append("groups: " + groups.map { "\($0.name) \(Self.describe($0.change))" }.joined(separator: ", "))
        }
        let peers = peersAdded.map { "\($0) added" } + peersRemoved.map { "\($0) removed" }
            + peersChanged.map { "\($0) changed" }
        if !peers.isEmpty { parts.append("peers: " + peers.joined(separator: ", ")) }
        let checks = checksAdded.map { "\($0) added" } + checksRemoved.map { "\($0) removed" }
            + checksChanged.map { "\($0) changed" }
        if !checks.isEmpty { parts.append("checks: " + checks.joined(separator: ", ")) }
        if timersChanged { parts.append("timers changed") }
        return parts.isEmpty ? "nothing changed" : parts.joined(separator: "; ")
    }

    /// `added`, `removed`, `remade (mover local → script)`, `priority, addresses (+198.18.0.101/32)`.
    public static func describe(_ change: GroupChange) -> String {
        switch change {
        case .added: return "added"
        case .removed: return "removed"
        case .remade(let why): return "remade (\(why))"
        case .changed(let fields, let added, let removed):
            let addresses = added.map { "+\($0)" } + removed.map { "-\($0)" }
            return fields.joined(separator: ", ") + (addresses.isEmpty ? "" : " (\(addresses.joined(separator: " ")))")
        }
    }
}
