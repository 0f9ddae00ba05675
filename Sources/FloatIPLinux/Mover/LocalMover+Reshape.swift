import FloatIPCore

/// A reload that changes a held group's addresses, lifetime or announcements: applied in place.
extension LocalMover: ReshapingMover {
    public func reshape(_ group: GroupConfig, from old: GroupConfig, epoch: UInt64) async throws {
        guard var entry = held[group.name] else { return }
        guard let lifetime = kernelLifetime(group) else {
            throw LocalMoverError.boundTooNear(group: group.name, left: (lifetimeBounds[group.name] ?? .now) - .now)
        }
        let added = group.addresses.filter { !old.addresses.contains($0) }
        // The addresses that stay are renewed in place (replace: never removed); the new ones added.
        for prefix in group.addresses {
            do {
                try netlink.addAddress(prefix, interfaceIndex: entry.interfaceIndex, lifetime: lifetime, replace: true)
            } catch {
                throw LocalMoverError(group: group, interface: entry.interfaceName, address: prefix, action: "add", error)
            }
        }
        entry.group = group
        held[group.name] = entry
        let removed = old.addresses.filter { !group.addresses.contains($0) }
        if let error = removeAddresses(removed, of: group, index: entry.interfaceIndex, name: entry.interfaceName) { throw error }
        guard old.addresses != group.addresses || old.announce != group.announce else { return }
        // The follow-ups of the claim name the old addresses and settings: they stop, and start over
        // with the new ones (none when announcing is off); the new addresses are announced at once.
        held[group.name]?.followUps?.cancel()
        held[group.name]?.followUps = nil
        guard group.announce.count > 0 else { return }
        let announcer = try announcer(for: group)
        if !added.isEmpty { try announcer.announceOnce(added.map(\.address)) }
        held[group.name]?.followUps = followUps(group, announcer)
    }
}
