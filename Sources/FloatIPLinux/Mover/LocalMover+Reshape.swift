import FloatIPCore

/// A reload that changes a held group's addresses, lifetime or announcements: applied in place.
/// (A change of the addresses' interfaces remakes the group instead: ConfigReload.)
extension LocalMover: ReshapingMover {
    public func reshape(_ group: GroupConfig, from old: GroupConfig, epoch: UInt64) async throws {
        guard var entry = held[group.name] else { return }
        guard let lifetime = kernelLifetime(group) else {
            throw LocalMoverError.boundTooNear(group: group.name, left: (lifetimeBounds[group.name] ?? .now) - .now)
        }
        let added = group.addresses.filter { !old.addresses.contains($0) }
        let placements = reshaped(entry.placements, to: group)
        // The addresses that stay are renewed in place (replace: never removed); the new ones added.
        for placement in placements {
            for prefix in placement.addresses {
                do {
                    try netlink.addAddress(prefix, interfaceIndex: placement.index, lifetime: lifetime, replace: true)
                } catch {
                    throw LocalMoverError(group: group, interface: placement.name, address: prefix, action: "add", error)
                }
            }
        }
        entry.group = group
        let before = entry.placements
        entry.placements = placements
        held[group.name] = entry
        for placement in before {
            let removed = placement.addresses.filter { !group.addresses.contains($0) }
            if let error = removeAddresses(removed, of: group, index: placement.index, name: placement.name) { throw error }
        }
        guard old.addresses != group.addresses || old.announce != group.announce else { return }
        // The follow-ups of the claim name the old addresses and settings: they stop, and start over
        // with the new ones (none when announcing is off); the new addresses are announced at once.
        held[group.name]?.followUps?.cancel()
        held[group.name]?.followUps = nil
        guard group.announce.count > 0 else { return }
        let announcing = try announcers(for: group)
        for (announcer, addresses) in announcing {
            let new = addresses.filter { address in added.contains { $0.address == address } }
            if !new.isEmpty { try announcer.announceOnce(new) }
        }
        held[group.name]?.followUps = followUps(group, announcing)
    }

    /// The held interfaces with the reloaded group's addresses on them (the interfaces themselves do
    /// not change in place; a new address goes where the group places it).
    private func reshaped(_ placements: [HeldPlacement], to group: GroupConfig) -> [HeldPlacement] {
        if group.virtualMAC != nil, var only = placements.first {
            only.addresses = group.addresses
            return [only]
        }
        let wanted = group.placements
        return placements.map { placement in
            var placement = placement
            placement.addresses = wanted.first { $0.interface == placement.name }?.addresses ?? []
            return placement
        }
    }
}
