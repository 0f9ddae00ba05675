import CFloatIPLinux
import FloatIPCore
import Glibc

// `virtual_mac`: the group's addresses live on a macvlan with the VRRP-style MAC (VirtualMAC).
// Claim creates it, release deletes it (so this host stops answering for the MAC at once), and
// maintain() recreates it if someone deleted it while this node holds the group.
extension LocalMover {
    /// Makes the group's macvlan exist, current and up on `parent`, and the parent's ARP settings
    /// safe for it; returns its index and whether this call created it. A macvlan this call created
    /// is deleted again if a later step fails.
    func prepareMacvlan(
        _ group: GroupConfig, _ virtual: VirtualMAC, parent: LinkInfo
    ) throws -> (index: Int32, created: Bool) {
        let name = virtual.interfaceName
        func failure(_ action: String, _ error: Error) -> LocalMoverError {
            .virtualMAC(group: group.name, interface: parent.name, action: action, error: error)
        }
        try raiseParentSettings(group, parent: parent)
        if let existing = try netlink.link(named: name) {
            guard existing.kind == "macvlan" else {
                throw LocalMoverError.virtualMACNameTaken(name, kind: existing.kind, group: group.name)
            }
            if isCurrent(existing, virtual, parent: parent) {
                if !existing.isUp {
                    do { try netlink.setLink(index: existing.index, up: true) } catch { throw failure("set \(name) up", error) }
                }
                return (existing.index, false)
            }
            // Ours, but on another parent or with another MAC (the config changed): start again.
            do { try netlink.deleteLink(index: existing.index) } catch { throw failure("replace stale \(name)", error) }
            let now = LinkInfo(index: 0, name: name, mac: virtual.mac).macText
            logger.warning(
                "group \(group.name): replaced \(name) (it was on index \(existing.parentIndex ?? 0) with \(existing.macText)); now on \(parent.name) with \(now)")
        }
        do {
            try netlink.createMacvlan(named: name, parentIndex: parent.index, mac: virtual.mac, mode: VirtualMAC.mode)
        } catch {
            throw failure("create macvlan \(name)", error)
        }
        guard let link = try netlink.link(named: name) else {
            throw failure("create macvlan \(name)", NetlinkError(operation: "get link \(name)", errno: ENODEV,
                detail: "it disappeared right after it was created"))
        }
        do {
            // Before it comes up: no automatic IPv6 addresses (every holder's macvlan has the same
            // MAC, so the same EUI-64 link-local address: a duplicate during a switchover).
            try netlink.setFamilySettings(
                index: link.index, ipv4: VirtualMAC.macvlanSettings, noIPv6AddressGeneration: true)
            try netlink.setLink(index: link.index, up: true)
        } catch {
            try? netlink.deleteLink(index: link.index)
            throw failure("set up macvlan \(name)", error)
        }
        return (link.index, true)
    }

    /// Whether `link` is the group's macvlan as it should be: the virtual MAC, on `parent`.
    func isCurrent(_ link: LinkInfo, _ virtual: VirtualMAC, parent: LinkInfo) -> Bool {
        link.kind == "macvlan" && link.mac == virtual.mac && link.parentIndex == parent.index
    }

    /// Raises the parent's `arp_ignore` and `arp_announce` to what the virtual MAC needs, keeping
    /// higher values; reports a change (it stays after release: other groups may rely on it).
    func raiseParentSettings(_ group: GroupConfig, parent: LinkInfo) throws {
        let changes = VirtualMAC.parentMinimums.filter { setting, minimum in
            (parent.value(of: setting) ?? 0) < minimum
        }
        guard !changes.isEmpty else { return }
        do {
            try netlink.setFamilySettings(index: parent.index, ipv4: changes)
        } catch {
            throw LocalMoverError.virtualMAC(
                group: group.name, interface: parent.name, action: "raise ARP settings of \(parent.name)", error: error)
        }
        let text = changes.map { "net.ipv4.conf.\(parent.name).\($0.0.name)=\($0.1)" }.joined(separator: ", ")
        logger.info("group \(group.name): set \(text) for virtual_mac (the parent must not answer for the group's addresses)")
    }

    /// Removes the addresses from the group's macvlan and deletes it; quiet when it is absent.
    func releaseVirtualMAC(_ group: GroupConfig, _ virtual: VirtualMAC) throws {
        let name = virtual.interfaceName
        guard let link = try netlink.link(named: name) else { return }
        guard link.kind == "macvlan" else {
            throw LocalMoverError.virtualMACNameTaken(name, kind: link.kind, group: group.name)
        }
        var firstError: Error? = removeAddresses(group, from: link)
        do {
            try netlink.deleteLink(index: link.index)
        } catch {
            if error.errno != ENODEV, firstError == nil {
                firstError = LocalMoverError.virtualMAC(
                    group: group.name, interface: group.interface ?? "?", action: "delete macvlan \(name)", error: error)
            }
        }
        if let firstError { throw firstError }
    }

    /// For maintain(): the index of the held group's macvlan, recreated (and reported) if it went
    /// missing or stale; nil (reported) when that fails, e.g. the parent itself is gone.
    func maintainVirtualMAC(_ entry: HeldGroup, _ virtual: VirtualMAC) -> Int32? {
        let group = entry.group
        do {
            let parent = try parentLink(group)
            if let link = try netlink.link(named: virtual.interfaceName), link.index == entry.placements.first?.index,
                isCurrent(link, virtual, parent: parent), link.isUp
            {
                return link.index
            }
            let (index, _) = try prepareMacvlan(group, virtual, parent: parent)
            logger.warning(
                "restored \(virtual.interfaceName) on \(parent.name) for group \(group.name): it was removed or changed while this node holds the group")
            return index
        } catch {
            logger.error("group \(group.name): could not restore \(virtual.interfaceName): \(error)")
            return nil
        }
    }
}
