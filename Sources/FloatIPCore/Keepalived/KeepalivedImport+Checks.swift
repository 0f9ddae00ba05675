extension KeepalivedImport {
    /// A `track_script` entry (`NAME [weight W [reverse]]`): the check made from that `vrrp_script`
    /// with this weight; returns what the group's priority rises by (keepalived adds a positive weight
    /// while the script succeeds: floatip starts that much higher and subtracts it while the check fails).
    /// `weighted` false (an address owner, or a sync group's instance): keepalived drops a weighted script.
    /// `priority`: the instance's, which a positive weight raises to 254 at most.
    mutating func mapTrackedScript(
        _ tracked: KeepalivedStatement, scripts: [String: KeepalivedStatement], weighted: Bool, owner: Bool,
        priority: Int, into group: inout Group
    ) -> Int {
        guard let script = scripts[tracked.keyword] else {
            note(tracked, "track_script \(tracked.keyword): no vrrp_script of that name")
            return 0
        }
        guard let line = script.child("script"), !(line.arguments.first ?? "").isEmpty else {
            note(tracked, "track_script \(tracked.keyword): its vrrp_script has no plain `script` line (conditional?); not tracked")
            return 0
        }
        guard var weight = trackedWeight(tracked, kind: "track_script", fallback: Int(script.child("weight")?.arguments.first ?? "0") ?? 0)
        else { return 0 }
        if weight > 0, weighted {
            weight = cappedWeight(weight, priority: priority, kind: "track_script", tracked)
            if weight == 0 { return 0 }
        }
        if weight != 0, !weighted {
            note(tracked, "track_script \(tracked.keyword) weight \(weight): keepalived ignores a weighted script \(owner ? "at priority 255" : "in a vrrp_sync_group (without sync_group_tracking_weight)"); not tracked")
            return 0
        }
        if tracked.arguments.contains("reverse") || script.child("weight")?.arguments.contains("reverse") == true {
            note(tracked, "`reverse` weights are not carried over: the weight applies as keepalived's plain weight")
        }
        let base = Self.name(script.arguments.first ?? "script")
        let name = weight == 0 ? base : "\(base)_w\(weight < 0 ? "m\(-weight)" : "\(weight)")"
        if !checks.contains(where: { $0.name == name }) {
            checks.append(Check(name: name, fields: scriptFields(script, weight: weight)))
        }
        if !group.checks.contains(name) { group.checks.append(name) }
        return min(253, max(0, weight))
    }

    /// The fields of a command check from a `vrrp_script`.
    mutating func scriptFields(_ script: KeepalivedStatement, weight: Int) -> [(String, String)] {
        let command = script.child("script")?.arguments ?? []
        let words = command.count == 1 ? command[0].split(separator: " ").map(String.init) : command
        var fields: [(String, String)] = [("kind", "command")]
        if words.count == 1, words[0].hasPrefix("/") {
            fields.append(("target", Self.quoted(words[0])))
        } else {
            fields += [("target", Self.quoted(command.joined(separator: " "))), ("shell", "true")]
        }
        let interval = max(0.01, Double(script.child("interval")?.arguments.first ?? "1") ?? 1)
        // keepalived lets a script run its whole interval; floatip's timeout must be shorter.
        var timeout = Double(script.child("timeout")?.arguments.first ?? "") ?? interval
        if timeout >= interval { timeout = interval * 0.9 }
        fields += [
            ("interval", Self.seconds(interval)), ("timeout", Self.seconds(timeout)),
            ("rise", script.child("rise")?.arguments.first ?? "1"), ("fall", script.child("fall")?.arguments.first ?? "1"),
        ]
        if weight != 0 { fields.append(("weight", "\(max(-253, -abs(weight)))")) }
        for entry in script.block ?? [] where !["script", "interval", "timeout", "rise", "fall", "weight"].contains(entry.keyword) {
            note(entry, entry.keyword.hasPrefix("@")
                ? "conditional configuration (`\(entry.keyword)`) is not evaluated"
                : "vrrp_script `\(entry.keyword)` is not carried over")
        }
        return fields
    }

    /// A `track_interface` entry (`IFACE [weight W]`): an interface check; returns what the group's
    /// priority rises by (a positive weight, added while the link is up, as for scripts). The
    /// instance's own interface is tracked by floatip already (an implicit required check). `weighted`
    /// false: an address owner drops a weighted interface, a sync group's instance runs it as weight 0.
    mutating func mapTrackedInterface(
        _ tracked: KeepalivedStatement, weighted: Bool, owner: Bool, priority: Int, into group: inout Group
    ) -> Int {
        guard var weight = trackedWeight(tracked, kind: "track_interface", fallback: 0) else { return 0 }
        if weight > 0, weighted {
            weight = cappedWeight(weight, priority: priority, kind: "track_interface", tracked)
            if weight == 0 { return 0 }
        }
        if weight != 0, !weighted {
            note(tracked, "track_interface \(tracked.keyword) weight \(weight): keepalived " + (owner
                ? "ignores a weighted interface at priority 255; not tracked"
                : "runs it as weight 0 in a vrrp_sync_group (without sync_group_tracking_weight): a down link is a fault"))
            if owner { return 0 }
            weight = 0
        }
        if tracked.keyword == group.interface, weight == 0 { return 0 }
        let name = "link-" + Self.name(tracked.keyword) + (weight == 0 ? "" : "_w\(weight < 0 ? "m\(-weight)" : "\(weight)")")
        var fields = [("kind", "interface"), ("target", tracked.keyword)]
        if weight != 0 { fields.append(("weight", "\(max(-253, -abs(weight)))")) }
        if !checks.contains(where: { $0.name == name }) { checks.append(Check(name: name, fields: fields)) }
        if !group.checks.contains(name) { group.checks.append(name) }
        return min(253, max(0, weight))
    }

    /// `2s`, `1.5s`, `500ms`.
    static func seconds(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
