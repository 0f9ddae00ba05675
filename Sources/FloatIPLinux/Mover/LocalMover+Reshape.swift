import FloatIPCore
import Glibc

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
        var firstError: LocalMoverError?
        for prefix in old.addresses where !group.addresses.contains(prefix) {
            do {
                try netlink.deleteAddress(prefix, interfaceIndex: entry.interfaceIndex)
            } catch {
                if error.errno != EADDRNOTAVAIL, firstError == nil {
                    firstError = LocalMoverError(group: group, interface: entry.interfaceName, address: prefix, action: "remove", error)
                }
            }
        }
        if let firstError { throw firstError }
        guard !added.isEmpty || old.announce != group.announce, group.announce.count > 0 else { return }
        // The new addresses announced at once; the follow-ups start over with the new settings.
        let announcer = try announcer(for: group)
        if !added.isEmpty { try announcer.announceOnce(added.map(\.address)) }
        held[group.name]?.followUps?.cancel()
        held[group.name]?.followUps = followUps(group, announcer)
    }
}
