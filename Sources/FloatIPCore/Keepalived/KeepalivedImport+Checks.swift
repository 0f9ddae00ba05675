extension KeepalivedImport {
    /// A `track_script` entry (`NAME [weight W [reverse]]`): the check made from that `vrrp_script`
    /// with this weight; returns what the group's priority rises by (keepalived adds a positive weight
    /// while the script succeeds: floatip starts that much higher and subtracts it while the check fails).
    mutating func mapTrackedScript(
        _ tracked: KeepalivedStatement, scripts: [String: KeepalivedStatement], into group: inout Group
    ) -> Int {
        guard let script = scripts[tracked.keyword] else {
            note(tracked, "track_script \(tracked.keyword): no vrrp_script of that name")
            return 0
        }
        guard let line = script.child("script"), !(line.arguments.first ?? "").isEmpty else {
            note(tracked, "track_script \(tracked.keyword): its vrrp_script has no plain `script` line (conditional?); not tracked")
            return 0
        }
        var weight = Int(script.child("weight")?.arguments.first ?? "0") ?? 0
        if let index = tracked.arguments.firstIndex(of: "weight"), index + 1 < tracked.arguments.count {
            weight = Int(tracked.arguments[index + 1]) ?? weight
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
        return max(0, weight)
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

    /// A `track_interface` entry (`IFACE [weight W]`): an interface check. The instance's own
    /// interface is tracked by floatip already (an implicit required check), so it is only noted.
    mutating func mapTrackedInterface(_ tracked: KeepalivedStatement, into group: inout Group) {
        var weight = 0
        if let index = tracked.arguments.firstIndex(of: "weight"), index + 1 < tracked.arguments.count {
            weight = Int(tracked.arguments[index + 1]) ?? 0
        }
        if tracked.keyword == group.interface, weight == 0 { return }
        let name = "link-" + Self.name(tracked.keyword) + (weight == 0 ? "" : "_w\(weight < 0 ? "m\(-weight)" : "\(weight)")")
        var fields = [("kind", "interface"), ("target", tracked.keyword)]
        if weight != 0 {
            fields.append(("weight", "\(-abs(weight))"))
            if weight > 0 { note(tracked, "positive interface weight \(weight): floatip subtracts \(weight) while the link is down instead of adding it while up") }
        }
        if !checks.contains(where: { $0.name == name }) { checks.append(Check(name: name, fields: fields)) }
        if !group.checks.contains(name) { group.checks.append(name) }
    }

    /// A `vrrp_sync_group`: instances that move together. They stay separate groups for now.
    mutating func mapSyncGroup(_ statement: KeepalivedStatement) {
        note(statement, "vrrp_sync_group: its instances become separate groups that fail over on their own (a floatip group has one interface)")
    }

    /// `2s`, `1.5s`, `500ms`.
    static func seconds(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
