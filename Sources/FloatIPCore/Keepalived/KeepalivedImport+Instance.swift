extension KeepalivedImport {
    /// `global_defs`: the default announce settings; the rest is noted.
    mutating func mapGlobals(_ statement: KeepalivedStatement) -> [(String, String)] {
        var announce: [(String, String)] = []
        for entry in statement.block ?? [] {
            switch entry.keyword {
            case "router_id":
                note(entry, "router_id: the node is named by its address (node-…), the same on every node's converted file")
            case "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh":
                if let mapped = announceSetting(entry, keyword: String(entry.keyword.dropFirst("vrrp_".count))) { announce.append(mapped) }
            case "vrrp_min_garp": break  // The instances' garp defaults (KeepalivedImport.init).
            case "vrrp_version":
                // Read before the instances (KeepalivedImport.init): their version's default.
                if options.native { note(entry, "vrrp_version: floatip's own protocol has no VRRP version") }
            case "script_user", "enable_script_security":
                note(entry, "`\(entry.keyword)`: floatip runs checks and hooks as the agent's own user (root with CAP_NET_ADMIN and CAP_NET_RAW under the packaged unit)")
            case "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout", "smtp_alert":
                note(entry, "SMTP alerts: floatip has none; use a hook or the `webhook` (docs/config.md, \"Hooks\")")
            default:
                note(entry, "global_defs `\(entry.keyword)` is not carried over")
            }
        }
        return announce
    }

    /// `garp_master_delay` / `_repeat` / `_refresh` as an `announce` key and value.
    mutating func announceSetting(_ entry: KeepalivedStatement, keyword: String) -> (String, String)? {
        guard let value = entry.arguments.first, let number = Int(value), number >= 0 else {
            note(entry, "`\(entry.keyword)` needs a whole number")
            return nil
        }
        switch keyword {
        case "garp_master_delay": return ("repeat_after", number == 0 ? "off" : "\(number)s")
        case "garp_master_repeat": return ("count", "\(min(number, 100))")
        default: return ("refresh", number == 0 ? "off" : "\(number)s")
        }
    }

    /// One `vrrp_instance` as a group (nil: left out, noted); its unicast source and peers, if any.
    /// keepalived settles an instance once the whole file is read (vrrp.c's vrrp_complete_instance):
    /// the defaults and the settings that cancel each other are applied here the same way.
    mutating func mapInstance(
        _ statement: KeepalivedStatement, scripts: [String: KeepalivedStatement]
    ) -> (Group?, IPAddress?, [IPAddress]) {
        var group = Group(name: Self.name(statement.arguments.first ?? "group"), source: statement.location)
        var base: Int?
        var raise = 0
        var source: IPAddress?
        var peers: [IPAddress] = []
        var vrid: Int?
        var useVMAC = false
        var wantsMaster = false
        var delay: (entry: KeepalivedStatement, seconds: Double)?
        // Mapped once the instance's interface, priority and family are known.
        var addresses: [KeepalivedStatement] = []
        var tracked: [KeepalivedStatement] = []
        for entry in statement.block ?? [] {
            let first = entry.arguments.first ?? ""
            switch entry.keyword {
            case "interface": group.interface = first
            case "priority":
                base = Int(first) ?? 100
                if base == 255 { note(entry, "priority 255 (address owner): floatip's highest is 254") }
            case "nopreempt": group.preempt = false
            case "preempt": group.preempt = true
            case "preempt_delay": delay = (entry, Double(first) ?? 0)
            case "virtual_router_id": vrid = Int(first)
            case "use_vmac":
                useVMAC = true
                if !first.isEmpty { note(entry, "use_vmac's interface name: floatip names it fipvm<ID>") }
            case "virtual_ipaddress", "virtual_ipaddress_excluded": addresses.append(entry)
            case "unicast_src_ip": source = IPAddress(first)
            case "unicast_peer":
                for peer in entry.block ?? [] {
                    if let address = IPAddress(peer.keyword) { peers.append(address) } else { note(peer, "`\(peer.keyword)` is not an address") }
                }
            case "track_script", "track_interface": tracked.append(entry)
            case "notify_master", "notify_backup", "notify_fault":
                let key = Self.notifyHooks[entry.keyword]!
                group.hooks.append((key, Self.program(entry.arguments)))
            case "notify":
                group.hooks.append(("notify", first))
                note(entry, "notify: floatip calls it as SCRIPT GROUP NAME STATE PRIORITY (keepalived: INSTANCE NAME STATE PRIORITY), with states MASTER, BACKUP, FAULT")
            case "garp_master_delay", "garp_master_repeat", "garp_master_refresh":
                if let mapped = announceSetting(entry, keyword: entry.keyword) { group.announce.append(mapped) }
            case "state":
                // keepalived: a later BACKUP does not undo MASTER.
                wantsMaster = wantsMaster || first == "MASTER"
                note(entry, "state \(first): floatip decides by priority; the initial state does not matter")
            case "advert_int", "authentication", "version":
                if !options.native {
                    mapVRRPSetting(entry, into: &group)
                    continue
                }
                note(entry, "`\(entry.keyword)`: floatip's own protocol has its own timers (interval 20ms, dead after 15: 300 ms) and authenticates every datagram with the cluster's secret")
            default:
                note(entry, entry.keyword.hasPrefix("@")
                    ? "conditional configuration (`\(entry.keyword)`) is not evaluated: convert the file keepalived would read on this host"
                    : "`\(entry.keyword)` is not carried over")
            }
        }
        // keepalived: without a priority, `state MASTER` makes the address owner (255).
        if base == nil, wantsMaster { note(statement, "no priority and state MASTER: keepalived runs it as the address owner (255); floatip's highest is 254") }
        let priority = base ?? (wantsMaster ? 255 : 100)
        let owner = priority == 255
        if !group.preempt, owner || wantsMaster {
            note(statement, "nopreempt: keepalived ignores it \(owner ? "at priority 255" : "with state MASTER"): the group preempts")
            group.preempt = true
        }
        if let delay {
            if wantsMaster || !group.preempt {
                note(delay.entry, "preempt_delay: keepalived ignores it \(wantsMaster ? "with state MASTER" : "with nopreempt")")
            } else {
                mapPreemptDelay(delay.entry, seconds: delay.seconds, into: &group)
            }
        }
        // keepalived: the first virtual address says the instance's family.
        let first = addresses.first { $0.keyword == "virtual_ipaddress" }?.block?.first?.keyword ?? ""
        group.ipv6 = IPAddress(String(first.prefix { $0 != "/" })).map { !$0.isIPv4 } ?? false
        for entry in addresses {
            for address in entry.block ?? [] { mapAddress(address, into: &group) }
        }
        let weighted = !owner && !unweightedInstances.contains(statement.arguments.first ?? "")
        var seen: Set<String> = []
        for entry in tracked {
            for line in entry.block ?? [] {
                guard seen.insert("\(entry.keyword) \(line.keyword)").inserted else {
                    note(line, "\(entry.keyword) \(line.keyword) is listed already: keepalived ignores it")
                    continue
                }
                if entry.keyword == "track_script" {
                    raise += mapTrackedScript(line, scripts: scripts, weighted: weighted, owner: owner, priority: priority, into: &group)
                } else {
                    raise += mapTrackedInterface(line, weighted: weighted, owner: owner, priority: priority, into: &group)
                }
            }
        }
        if useVMAC, let vrid { group.virtualMAC = vrid }
        if !options.native {
            settleVRRP(statement, vrid: vrid, peers: peers, into: &group)
        }
        group.priority = min(254, max(1, priority + raise))
        if raise > 0 {
            note(statement, "priority \(priority) + \(raise) from tracked scripts and interfaces with positive weights (floatip adds a weight while a check fails, so those checks subtract)"
                + (priority + raise > 254 ? "; above 254, so a failing check takes floatip's priority (254 less its weight) lower than keepalived's (\(priority + raise) less it, at most 254)" : ""))
        }
        return (group, source, peers)
    }

    /// `preempt_delay`: the group's (VRRP), or the node's one timer (native: the longest).
    mutating func mapPreemptDelay(_ entry: KeepalivedStatement, seconds: Double, into group: inout Group) {
        if !options.native {
            group.vrrpPreemptDelay = seconds
            return
        }
        let delay = Duration.milliseconds(Int(seconds * 1000))
        if let existing = preemptDelay, existing != delay {
            note(entry, "preempt_delay differs between instances: floatip's is one timer for the node; the longest is kept")
        }
        preemptDelay = max(preemptDelay ?? .zero, delay)
    }

    /// One address line: `ADDRESS[/LENGTH] [dev IFACE] [label …]…`.
    mutating func mapAddress(_ line: KeepalivedStatement, into group: inout Group) {
        let text = line.keyword
        let address = text.split(separator: "/").first.map(String.init) ?? text
        guard let parsed = IPAddress(address) else {
            note(line, "`\(text)` is not an address")
            return
        }
        var options = line.arguments[...]
        var device: String?
        while let option = options.popFirst() {
            // keepalived's flags (`no_track`, `home`, `-nodad`…) take no value.
            let valued = ["dev", "scope", "brd", "broadcast", "label", "peer", "preferred_lft"].contains(option)
            let value = valued ? options.popFirst() ?? "" : ""
            if option == "dev" {
                device = value
            } else {
                note(line, "`\(option)` on \(text) is not carried over")
            }
        }
        if !self.options.native, parsed.isIPv4 == group.ipv6 {
            note(line, "\(text): a virtual router is of its first address's family (\(group.ipv6 ? "IPv6" : "IPv4")), as "
                + "keepalived runs it; put it in an instance of its own, or convert with --native")
            return
        }
        let entry = text.contains("/") ? text : (parsed.isIPv4 ? "\(text)/32" : "\(text)/128")
        let taken = (groups.flatMap(\.addresses) + group.addresses).contains { IPAddress($0.split(separator: "/")[0]) == parsed }
        guard !taken else {
            note(line, "\(text) is listed already: a floatip address is in one group, once")
            return
        }
        group.addresses.append(entry)
        // `dev IFACE`: the address goes on its own interface, moving with the rest of the group.
        if let device, device != group.interface { group.ownInterfaces[entry] = device }
    }

    /// A program and its arguments from a keepalived command (one quoted word, or several): a flow list.
    static func program(_ words: [String]) -> String {
        let split = words.count == 1 ? words[0].split(separator: " ").map(String.init) : words
        let shell = split.contains { $0.contains { "|&;<>$`*?'\"".contains($0) } }
        let argv = shell ? ["/bin/sh", "-c", words.joined(separator: " ")] : split
        return "[" + argv.map(Self.quoted).joined(separator: ", ") + "]"
    }

    /// A YAML double-quoted string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
