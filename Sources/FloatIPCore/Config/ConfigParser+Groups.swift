import Yams

extension ConfigReader {
    static let groupKeys = [
        "name", "addresses", "interface", "mover", "priority", "preempt", "checks", "address_lifetime", "announce",
        "virtual_mac", "hooks", "track_interface", "protocol", "vrrp",
    ]

    /// `groups: [...]`: at least one; `checks` are the names defined under `checks:` (nil: unknown).
    /// Names unique, every address in one group only, every check a group names defined.
    /// `hooks` are the top-level hooks, the defaults each group's own `hooks:` is laid over.
    mutating func groupConfigs(
        _ top: Fields, checks: [String]?, node: Located<NodeConfig>?, peers: [Located<PeerConfig>]?,
        hooks: HooksLayer = HooksLayer()
    ) -> [GroupConfig]? {
        guard let list = value(top, "groups", required: true),
            let items = items(list, path: "groups", of: "groups ({ name, addresses, interface, mover, priority })")
        else { return nil }
        if items.isEmpty {
            report("groups", at: list, "needs at least one group")
            return nil
        }
        var addresses: [Located<IPAddress>] = []
        var virtualMACs: [Located<UInt8>] = []
        let groups = uniquelyNamed(items, list: "groups", what: "group", name: \.name) { reader, item, path in
            reader.groupConfig(
                item, path: path, checks: checks, addresses: &addresses, virtualMACs: &virtualMACs, hooks: hooks)
        }
        if let groups { checkVRRPGroups(groups, node: node?.value) }
        for address in addresses {
            if let node = node?.value, address.value == node.address {
                report(address.path, line: address.line, "\(address.value) is this node's own address (node.address); "
                    + "a floating address must be one that no node has as its own")
            }
            if let peer = peers?.first(where: { $0.value.address == address.value }) {
                report(address.path, line: address.line, "\(address.value) is the own address of peer "
                    + "`\(peer.value.name)` (\(peer.path).address); a floating address must be one that no node "
                    + "has as its own")
            }
        }
        return groups?.map(\.value)
    }

    /// One group. Its addresses are added to `addresses`, where an address already there is a duplicate;
    /// its `virtual_mac` likewise to `virtualMACs`. The returned `line` is the line of the group's name.
    mutating func groupConfig(
        _ item: Node, path: String, checks: [String]?, addresses: inout [Located<IPAddress>],
        virtualMACs: inout [Located<UInt8>], hooks defaultHooks: HooksLayer = HooksLayer()
    ) -> Located<GroupConfig>? {
        guard let entries = fields(item, path: path, allowed: ConfigReader.groupKeys) else { return nil }
        let name = name(entries, "name", required: true)
        let mover = moverConfig(entries)
        let prefixes: [IPPrefix]?
        var ownInterfaces: [IPPrefix: String] = [:]
        if let kind = mover?.kind, kind.rewritesDNSRecord {
            // A DNS name points at the holder's own address: there is no floating address to list,
            // and nothing to configure on an interface.
            prefixes = []
            if entries.has("addresses") {
                report(entries.path("addresses"), line: entries.line(of: "addresses"), "a group with the "
                    + "`\(kind.rawValue)` mover has no floating addresses: the record points at the holder's own "
                    + "address (node.address) or at the mover's `address` option; remove `addresses`")
            }
            if entries.has("interface") {
                report(entries.path("interface"), line: entries.line(of: "interface"), "a group with the "
                    + "`\(kind.rawValue)` mover configures nothing on an interface (it rewrites a DNS record); "
                    + "remove `interface`")
            }
        } else {
            prefixes = groupAddresses(entries, addresses: &addresses, interfaces: &ownInterfaces)
        }
        let interfaceGiven = interfaceName(entries)
        // Without a group `interface`, a group whose every address names its own takes the first one's.
        let interface = interfaceGiven ?? prefixes.flatMap { list in
            list.isEmpty || !list.allSatisfy { ownInterfaces[$0] != nil } ? nil : ownInterfaces[list[0]]
        }
        ownInterfaces = ownInterfaces.filter { $0.value != interface }
        let priority = int(entries, "priority", required: true, in: 1...254, what: "a priority from 1 to 254")
        let preempt = bool(entries, "preempt")
        let checkNames = groupChecks(entries, checks: checks)
        let lifetime = addressLifetime(entries)
        let announce = announceConfig(entries)
        let virtualMAC = virtualMACID(entries, virtualMACs: &virtualMACs)
        let hooks = hooksLayer(entries)
        let trackInterface = trackInterfaceFlag(entries)
        let vrrp = groupProtocol(entries, mover: mover?.kind)
        if mover?.kind == .local, entries.has("interface") == false, interface == nil {
            report(entries.path("interface"), line: entries.line(of: "mover"),
                   "missing required field `interface`: the `local` mover puts the addresses on an interface "
                       + "(e.g. `interface: eth0`, or an `interface` on every address)")
            return nil
        }
        if !ownInterfaces.isEmpty {
            checkAddressInterfaces(entries, mover: mover?.kind)
        }
        guard let name, let prefixes, entries.has("interface") == (interfaceGiven != nil), let mover, let priority,
            entries.has("preempt") == (preempt != nil), entries.has("checks") == (checkNames != nil),
            let lifetime, let announce, let virtualMAC, let hooks, let trackInterface, let vrrp
        else { return nil }
        let group = GroupConfig(
            name: name, addresses: prefixes, interface: interface, mover: mover, priority: priority,
            preempt: preempt ?? true, checks: checkNames, addressLifetime: lifetime, announce: announce,
            virtualMAC: virtualMAC.value, hooks: hooks.resolved(over: defaultHooks), trackInterface: trackInterface,
            vrrp: vrrp, addressInterfaces: ownInterfaces)
        return Located(value: group, path: path, line: entries.line(of: "name"))
    }

    /// `addresses: [198.18.0.100/32, 2001:2::100]`: at least one, none already used. An item may be
    /// `{address: 198.18.1.1/24, interface: eth1}`: that address goes on its own interface (`interfaces`).
    private mutating func groupAddresses(
        _ entries: Fields, addresses: inout [Located<IPAddress>], interfaces: inout [IPPrefix: String]
    ) -> [IPPrefix]? {
        guard let list = value(entries, "addresses", required: true),
            let items = items(list, path: entries.path("addresses"), of: "addresses (`198.18.0.100/32`, `2001:2::100`)")
        else { return nil }
        if items.isEmpty {
            report(entries.path("addresses"), at: list, "needs at least one address")
            return nil
        }
        var prefixes: [IPPrefix] = []
        for (index, item) in items.enumerated() {
            var path = "\(entries.path("addresses"))[\(index)]"
            var textNode = item
            var own: String?
            if item.mapping != nil {
                guard let fields = fields(item, path: path, allowed: ["address", "interface"]),
                    let node = value(fields, "address", required: true)
                else { continue }
                own = interfaceName(fields)
                if fields.has("interface"), own == nil { continue }
                textNode = node
                path = fields.path("address")
            }
            guard let text = string(textNode, path: path) else { continue }
            switch IPPrefix.parse(text) {
            case .failure(let error):
                report(path, at: textNode, error.description)
            case .success(let prefix):
                if let earlier = addresses.first(where: { $0.value == prefix.address }) {
                    report(path, at: textNode, "\(prefix.address) is also \(earlier.path); an address belongs to one "
                        + "group only and appears once")
                }
                addresses.append(Located(value: prefix.address, path: path, line: textNode.mark?.line))
                prefixes.append(prefix)
                if let own { interfaces[prefix] = own }
            }
        }
        return prefixes.count == items.count ? prefixes : nil
    }

    /// Addresses on their own interfaces: only the `local` mover puts addresses on interfaces one by one,
    /// and `virtual_mac` puts them all on one macvlan.
    private mutating func checkAddressInterfaces(_ entries: Fields, mover: MoverKind?) {
        if let mover, mover != .local {
            report(entries.path("addresses"), line: entries.line(of: "addresses"), "an address with its own "
                + "`interface` needs the `local` mover (the `\(mover.rawValue)` mover places the group's addresses "
                + "as one); give the group one `interface`")
        }
        if entries.has("virtual_mac") {
            report(entries.path("virtual_mac"), line: entries.line(of: "virtual_mac"), "`virtual_mac` puts every "
                + "address of the group on one macvlan, so its addresses cannot go on interfaces of their own; "
                + "remove `virtual_mac` or the addresses' `interface`")
        }
    }

    /// `interface: eth0`: a Linux interface name (1–15 characters, no `/`, `:` or white space).
    mutating func interfaceName(_ entries: Fields) -> String? {
        guard let node = value(entries, "interface", required: false),
            let text = string(node, path: entries.path("interface"))
        else { return nil }
        let valid = (1...15).contains(text.utf8.count) && text != "." && text != ".."
            && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") }
        guard valid else {
            report(entries.path("interface"), at: node, "`\(text)` is not an interface name; Linux names are 1 to 15 "
                + "printable characters without `/`, `:` or spaces (e.g. `eth0`, `ens3`, `bond0.100`)")
            return nil
        }
        return text
    }

    /// `track_interface: true|false` (default true): whether the group tracks its `interface`'s link. Only
    /// with an `interface`: a group without one configures nothing locally. Nil when it has a problem.
    private mutating func trackInterfaceFlag(_ entries: Fields) -> Bool? {
        guard entries.has("track_interface") else { return true }
        guard let flag = bool(entries, "track_interface") else { return nil }
        guard entries.has("interface") else {
            report(entries.path("track_interface"), line: entries.line(of: "track_interface"), "this group has no "
                + "`interface`, so there is no link to track; remove `track_interface` (it applies to a group whose "
                + "addresses go on a local interface)")
            return nil
        }
        return flag
    }

    /// `mover: local`, or `mover: { kind: aws, ...options }`. Default `local`.
    private mutating func moverConfig(_ entries: Fields) -> MoverConfig? {
        let path = entries.path("mover")
        guard let node = value(entries, "mover", required: false) else { return MoverConfig(kind: .local) }
        let kindNode: Node
        var options: [String: String] = [:]
        var complete = true
        switch node {
        case .scalar:
            kindNode = node
        case .mapping(let mapping):
            guard let kind = mapping["kind"] else {
                report("\(path).kind", at: node, "missing required field `kind` (one of \(allowedMovers))")
                return nil
            }
            kindNode = kind
            for (key, value) in mapping where key.scalar?.string != "kind" {
                // A list of texts (`route_tables: [rtb-1, rtb-2]`) is kept as `rtb-1, rtb-2`.
                let items = value.sequence?.compactMap { $0.scalar?.string }
                let text = value.scalar?.string ?? (items?.count == value.sequence?.count ? items?.joined(separator: ", ") : nil)
                guard let keyText = key.scalar?.string, let text else {
                    report("\(path).\(key.scalar?.string ?? "?")", at: value, "mover options are names with text "
                        + "values (or lists of texts); found \(value.kindDescription)")
                    complete = false
                    continue
                }
                options[keyText] = text
            }
        default:
            report(path, at: node, "must be a mover kind (e.g. `local`) or a mapping with `kind`; "
                + "found \(node.kindDescription)")
            return nil
        }
        guard let kindText = string(kindNode, path: node.mapping == nil ? path : "\(path).kind") else { return nil }
        let kindPath = node.mapping == nil ? path : "\(path).kind"
        guard let kind = MoverKind(rawValue: kindText) else {
            report(kindPath, at: kindNode, "unknown mover `\(kindText)`"
                + didYouMean(kindText, among: MoverKind.allCases.map(\.rawValue)) + "; allowed: \(allowedMovers)")
            return nil
        }
        if kind == .local, !options.isEmpty {
            report(path, at: node, "the `local` mover takes no options (found "
                + options.keys.sorted().joined(separator: ", ") + "); set the interface with the group's `interface`")
            return nil
        }
        return complete ? MoverConfig(kind: kind, options: options) : nil
    }

    private var allowedMovers: String { MoverKind.allCases.map(\.rawValue).joined(separator: ", ") }

    /// `checks: [nginx]`: names of checks defined under the top-level `checks:`; nil when absent.
    private mutating func groupChecks(_ entries: Fields, checks: [String]?) -> [String]? {
        let path = entries.path("checks")
        guard let list = value(entries, "checks", required: false),
            let items = items(list, path: path, of: "check names")
        else { return nil }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let name = string(item, path: itemPath) else { continue }
            if names.contains(name) {
                report(itemPath, at: item, "check `\(name)` is named twice")
                continue
            }
            if let known = checks, !known.contains(name) {
                let defined = known.isEmpty ? "no checks are defined" : "defined: " + known.joined(separator: ", ")
                report(itemPath, at: item, "unknown check `\(name)`" + didYouMean(name, among: known)
                    + "; a group names checks defined under the top-level `checks:` (\(defined))")
                continue
            }
            names.append(name)
        }
        return names.count == items.count ? names : nil
    }
}
