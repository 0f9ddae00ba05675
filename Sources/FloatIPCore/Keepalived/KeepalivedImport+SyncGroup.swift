/// `vrrp_sync_group`: instances that move together, e.g. a router's LAN and WAN addresses. On
/// floatip's own protocol they become one group whose addresses go on their own interfaces. Over
/// VRRP each instance is its own virtual router (its own VRID, advertised by the keepalived peers),
/// so they stay one group each.
extension KeepalivedImport {
    /// keepalived's notify scripts and the floatip hooks they become.
    static let notifyHooks = ["notify_master": "on_holder", "notify_backup": "on_standby", "notify_fault": "on_fault"]

    mutating func mapSyncGroup(_ statement: KeepalivedStatement) {
        let name = statement.arguments.first ?? "sync"
        var members: [Int] = []
        for member in statement.child("group")?.block ?? [] {
            if let index = groups.firstIndex(where: { $0.name == Self.name(member.keyword) }) {
                if !members.contains(index) { members.append(index) }
            } else {
                note(member, "vrrp_sync_group \(name): no vrrp_instance \(member.keyword) was converted")
            }
        }
        guard options.native else {
            note(statement, "vrrp_sync_group \(name): over VRRP each instance joins its own virtual router, so they stay "
                + "separate groups that fail over on their own; convert with --native to move them as one group")
            for entry in statement.block ?? [] where entry.keyword.hasPrefix("notify") {
                note(entry, "vrrp_sync_group `\(entry.keyword)`: over VRRP its instances are separate groups, each with its own hooks; not carried over")
            }
            return
        }
        guard members.count >= 2 else { return }
        if members.contains(where: { groups[$0].virtualMAC != nil }) {
            note(statement, "vrrp_sync_group \(name): an instance uses use_vmac, whose macvlan holds all of a group's "
                + "addresses on one interface: the instances stay separate groups that fail over on their own")
            return
        }
        var merged = groups[members[0]]
        merged.name = Self.name(name)
        merged.ownInterfaces = [:]
        for index in members {
            let member = groups[index]
            for entry in member.addresses {
                if index != members[0] { merged.addresses.append(entry) }
                if let own = member.ownInterfaces[entry] ?? member.interface, own != merged.interface {
                    merged.ownInterfaces[entry] = own
                }
            }
            for check in member.checks where !merged.checks.contains(check) { merged.checks.append(check) }
            if member.priority != merged.priority || member.preempt != merged.preempt {
                note(statement, "vrrp_sync_group \(name): \(member.name) has priority \(member.priority)"
                    + (member.preempt ? "" : " and nopreempt") + "; the one group takes \(groups[members[0]].name)'s "
                    + "(priority \(merged.priority)" + (merged.preempt ? "" : ", nopreempt") + ")")
            }
        }
        mergeSyncNotify(statement, into: &merged)
        let names = members.map { groups[$0].name }.joined(separator: ", ")
        note(statement, "vrrp_sync_group \(name): its instances \(names) become one group \(merged.name), each address on its instance's interface")
        groups[members[0]] = merged
        for index in members.dropFirst().sorted(by: >) { groups.remove(at: index) }
    }

    /// The sync group's own notify scripts replace its instances' (keepalived runs the group's for the set).
    private mutating func mergeSyncNotify(_ statement: KeepalivedStatement, into merged: inout Group) {
        var hooks: [(String, String)] = []
        for entry in statement.block ?? [] {
            if let key = Self.notifyHooks[entry.keyword] {
                hooks.append((key, Self.program(entry.arguments)))
            } else if entry.keyword == "notify" {
                hooks.append(("notify", entry.arguments.first ?? ""))
            } else if !["group", "sync_group_tracking_weight", "global_tracking"].contains(entry.keyword) {
                note(entry, "vrrp_sync_group `\(entry.keyword)` is not carried over")
            }
        }
        if !hooks.isEmpty { merged.hooks = hooks }
    }
}
