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

    /// One `vrrp_instance` as a group; its unicast source and peers, if any.
    mutating func mapInstance(
        _ statement: KeepalivedStatement, scripts: [String: KeepalivedStatement]
    ) -> (Group, IPAddress?, [IPAddress]) {
        var group = Group(name: Self.name(statement.arguments.first ?? "group"), source: statement.location)
        var base = 100
        var raise = 0
        var source: IPAddress?
        var peers: [IPAddress] = []
        var vrid: Int?
        var useVMAC = false
        for entry in statement.block ?? [] {
            let first = entry.arguments.first ?? ""
            switch entry.keyword {
            case "interface": group.interface = first
            case "priority":
                base = Int(first) ?? 100
                if base == 255 { note(entry, "priority 255 (address owner): floatip's highest is 254") }
            case "nopreempt": group.preempt = false
            case "preempt_delay":
                let seconds = Double(first) ?? 0
                let delay = Duration.milliseconds(Int(seconds * 1000))
                if !options.native {
                    group.vrrp.append(("preempt_delay", Self.seconds(seconds)))
                    continue
                }
                if let existing = preemptDelay, existing != delay {
                    note(entry, "preempt_delay differs between instances: floatip's is one timer for the node; the longest is kept")
                }
                preemptDelay = max(preemptDelay ?? .zero, delay)
            case "virtual_router_id": vrid = Int(first)
            case "use_vmac":
                useVMAC = true
                if !first.isEmpty { note(entry, "use_vmac's interface name: floatip names it fipvm<ID>") }
            case "virtual_ipaddress", "virtual_ipaddress_excluded":
                for address in entry.block ?? [] { mapAddress(address, into: &group) }
            case "unicast_src_ip": source = IPAddress(first)
            case "unicast_peer":
                for peer in entry.block ?? [] {
                    if let address = IPAddress(peer.keyword) { peers.append(address) } else { note(peer, "`\(peer.keyword)` is not an address") }
                }
            case "track_script":
                for tracked in entry.block ?? [] {
                    raise += mapTrackedScript(tracked, scripts: scripts, into: &group)
                }
            case "track_interface":
                for tracked in entry.block ?? [] { mapTrackedInterface(tracked, into: &group) }
            case "notify_master", "notify_backup", "notify_fault":
                let key = ["notify_master": "on_holder", "notify_backup": "on_standby", "notify_fault": "on_fault"][entry.keyword]!
                group.hooks.append((key, Self.program(entry.arguments)))
            case "notify":
                group.hooks.append(("notify", first))
                note(entry, "notify: floatip calls it as SCRIPT GROUP NAME STATE PRIORITY (keepalived: INSTANCE NAME STATE PRIORITY), with states MASTER, BACKUP, FAULT")
            case "garp_master_delay", "garp_master_repeat", "garp_master_refresh":
                if let mapped = announceSetting(entry, keyword: entry.keyword) { group.announce.append(mapped) }
            case "state":
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
        if useVMAC, let vrid { group.virtualMAC = vrid }
        if !options.native {
            group.vrrp.insert(("vrid", "\(vrid ?? 0)"), at: 0)
            if vrid == nil { note(statement, "no virtual_router_id: give the group's `vrrp.vrid` by hand") }
            if !peers.isEmpty { group.vrrp.append(("unicast_peers", "[" + peers.map(\.description).joined(separator: ", ") + "]")) }
        }
        group.priority = min(254, max(1, base + raise))
        if raise > 0 {
            note(statement, "priority \(base) + \(raise) from scripts with positive weights (floatip adds a weight while a check fails, so those checks subtract)")
        }
        return (group, source, peers)
    }

    /// `advert_int`, `authentication` and `version` of an instance as its `vrrp:` settings (VRRP mode).
    mutating func mapVRRPSetting(_ entry: KeepalivedStatement, into group: inout Group) {
        let first = entry.arguments.first ?? ""
        switch entry.keyword {
        case "version":
            group.vrrp.append(("version", first))
        case "advert_int":
            guard let seconds = Double(first), seconds > 0 else { return note(entry, "advert_int needs a number of seconds") }
            group.vrrp.append(("advert_interval", Self.seconds(seconds)))
        default:
            for setting in entry.block ?? [] {
                switch (setting.keyword, setting.arguments.first ?? "") {
                case ("auth_type", "PASS"): break
                case ("auth_type", let type):
                    note(setting, "auth_type \(type): floatip speaks VRRP with no authentication or PASS only")
                case ("auth_pass", let password): group.password = String(password.prefix(8))
                default: note(setting, "`\(setting.keyword)` is not carried over")
                }
            }
        }
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
        while let option = options.popFirst() {
            let value = options.popFirst() ?? ""
            if option == "dev", value != group.interface, group.interface != nil {
                note(line, "\(text) is on \(value), not the instance's \(group.interface ?? ""): a floatip group's addresses share one interface; not carried over")
                return
            } else if option != "dev" {
                note(line, "`\(option)` on \(text) is not carried over")
            }
        }
        if !self.options.native, !parsed.isIPv4 {
            note(line, "\(text): floatip speaks VRRP over IPv4 only for now; keep keepalived for this address, or convert with --native")
            return
        }
        let entry = text.contains("/") ? text : (parsed.isIPv4 ? "\(text)/32" : "\(text)/128")
        let taken = (groups.flatMap(\.addresses) + group.addresses).contains { IPAddress($0.split(separator: "/")[0]) == parsed }
        guard !taken else {
            note(line, "\(text) is listed already: a floatip address is in one group, once")
            return
        }
        group.addresses.append(entry)
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
