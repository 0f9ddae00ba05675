import FloatIPCore

/// Where a group's addresses go and are announced from: its `interface`, each address's own
/// interface (`addresses: [{address, interface}]`), or with `virtual_mac` the group's macvlan.
extension LocalMover {
    /// The addresses of a held group on one interface.
    struct HeldPlacement {
        var index: Int32
        var name: String
        var addresses: [IPPrefix]
    }

    /// The interfaces a claim puts the group's addresses on: its macvlan with `virtual_mac` (made
    /// ready; `created` is its index when this call made it), else each interface its addresses go
    /// on. Throws naming an interface that is missing.
    func placements(_ group: GroupConfig) throws -> (held: [HeldPlacement], created: Int32?) {
        let parent = try parentLink(group)
        if let id = group.virtualMAC {
            let virtual = VirtualMAC(id: id)
            let (index, created) = try prepareMacvlan(group, virtual, parent: parent)
            return ([HeldPlacement(index: index, name: virtual.interfaceName, addresses: group.addresses)], created ? index : nil)
        }
        let held = try group.placements.map { placement in
            guard let link = placement.interface == parent.name ? parent : try netlink.link(named: placement.interface) else {
                throw LocalMoverError.missingInterface(placement.interface, group: group.name)
            }
            return HeldPlacement(index: link.index, name: link.name, addresses: placement.addresses)
        }
        return (held, nil)
    }

    /// The announcer of each interface the group's addresses are announced from, with the addresses
    /// it announces: with `virtual_mac` the macvlan, so the announcements carry the virtual MAC and
    /// the switch learns it on this port; else each interface that has addresses of the group.
    func announcers(for group: GroupConfig) throws -> [(Announcer, [IPAddress])] {
        let plan: [(String, [IPPrefix])] =
            if let id = group.virtualMAC { [(VirtualMAC(id: id).interfaceName, group.addresses)] }
            else { group.placements.filter { !$0.addresses.isEmpty }.map { ($0.interface, $0.addresses) } }
        return try plan.map { interface, addresses in (try announcer(for: group, on: interface), addresses.map(\.address)) }
    }

    /// The group's announcer on `interface`, kept while its settings stay (a reload may change them).
    func announcer(for group: GroupConfig, on interface: String) throws -> Announcer {
        let settings = AnnounceSettings(
            count: group.announce.count, spacing: group.announce.spacing, arpForm: group.announce.arp,
            repeatAfter: group.announce.repeatAfter, refreshEvery: group.announce.refresh)
        let key = "\(group.name) \(interface)"
        if let existing = announcers[key], existing.settings == settings { return existing }
        let announcer = try Announcer(interface: interface, settings: settings, namespace: namespace)
        announcers[key] = announcer
        return announcer
    }

    /// One burst on each interface.
    static func burst(_ announcing: [(Announcer, [IPAddress])]) async throws {
        for (announcer, addresses) in announcing { try await announcer.burst(addresses) }
    }
}
