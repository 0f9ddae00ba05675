extension KeepalivedImport {
    /// `advert_int`, `authentication` and `version` of an instance, kept for its `vrrp:` settings (VRRP mode).
    mutating func mapVRRPSetting(_ entry: KeepalivedStatement, into group: inout Group) {
        let first = entry.arguments.first ?? ""
        switch entry.keyword {
        case "version":
            guard let version = Int(first), (2...3).contains(version) else { return note(entry, "version needs 2 or 3") }
            group.vrrpVersion = version
        case "advert_int":
            guard let seconds = Double(first), seconds > 0 else { return note(entry, "advert_int needs a number of seconds") }
            group.advertInterval = (entry, seconds)
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

    /// The group's `vrrp:` settings as keepalived runs the instance: the version defaults to
    /// `global_defs`' `vrrp_version` (2 without it), the interval is rounded to what the version can
    /// say (whole seconds in version 2, 10 ms in version 3) and version 3 ignores authentication.
    mutating func settleVRRP(_ statement: KeepalivedStatement, vrid: Int?, peers: [IPAddress], into group: inout Group) {
        var settings = [("vrid", "\(vrid ?? 0)")]
        if vrid == nil { note(statement, "no virtual_router_id: give the group's `vrrp.vrid` by hand") }
        var version = group.vrrpVersion ?? defaultVersion
        if group.ipv6, version == 2 {
            // keepalived runs an IPv6 instance as version 3 whatever it says.
            if group.vrrpVersion != nil { note(statement, "version 2 with IPv6 addresses: keepalived runs it as version 3") }
            version = 3
        }
        if group.vrrpVersion != nil || version != 2 { settings.append(("version", "\(version)")) }
        // keepalived skips a peer of the other family than the instance's (vrrp_data.c, "MUST be of the same family").
        let others = peers.filter { $0.isIPv4 == group.ipv6 }
        if !others.isEmpty {
            note(statement, "unicast_peer \(others.map(\.description).joined(separator: ", ")): not of the instance's family "
                + "(\(group.ipv6 ? "IPv6" : "IPv4")); left out")
        }
        let peers = peers.filter { $0.isIPv4 != group.ipv6 }
        if let advert = group.advertInterval {
            let entry = advert.entry
            let step = version == 2 ? 1000 : 10
            let milliseconds = Int((advert.seconds * 1000).rounded())
            let rounded = min(max(step, (milliseconds + step / 2) / step * step), version == 2 ? 255_000 : 40_950)
            if rounded != milliseconds {
                note(entry, "advert_int \(entry.arguments.first ?? ""): keepalived runs version \(version) at \(Self.seconds(Double(rounded) / 1000))")
            }
            settings.append(("advert_interval", Self.seconds(Double(rounded) / 1000)))
        }
        if let delay = group.vrrpPreemptDelay { settings.append(("preempt_delay", Self.seconds(delay))) }
        if !peers.isEmpty { settings.append(("unicast_peers", "[" + peers.map(\.description).joined(separator: ", ") + "]")) }
        if group.password != nil, version == 3 {
            note(statement, "authentication: keepalived ignores it in VRRP version 3 (so does floatip: no auth_pass_file)")
            group.password = nil
        }
        group.vrrp = settings
    }
}
