import Yams

/// One `hooks:` mapping as written (top level or a group's), before the group's is laid over the defaults.
///
/// nil: the key is not set here. An empty command list (`on_holder: []`) or empty text (`notify: ""`)
/// is set, to nothing: a group uses it to switch off a hook it would inherit.
struct HooksLayer: Sendable, Equatable {
    var onHolder: [String]?
    var onStandby: [String]?
    var onFault: [String]?
    var onMaintenance: [String]?
    var notify: String?
    var webhook: String?
    var timeout: Duration?

    /// This layer's keys over `defaults`' (a key set here wins), with switched-off hooks removed.
    func resolved(over defaults: HooksLayer) -> HooksConfig {
        func command(_ own: [String]?, _ inherited: [String]?) -> [String]? {
            (own ?? inherited).flatMap { $0.isEmpty ? nil : $0 }
        }
        func text(_ own: String?, _ inherited: String?) -> String? {
            (own ?? inherited).flatMap { $0.isEmpty ? nil : $0 }
        }
        return HooksConfig(
            onHolder: command(onHolder, defaults.onHolder), onStandby: command(onStandby, defaults.onStandby),
            onFault: command(onFault, defaults.onFault),
            onMaintenance: command(onMaintenance, defaults.onMaintenance),
            notify: text(notify, defaults.notify), webhook: text(webhook, defaults.webhook),
            timeout: timeout ?? defaults.timeout ?? HooksConfig.defaultTimeout)
    }
}

extension ConfigReader {
    static let hookKeys = ["on_holder", "on_standby", "on_fault", "on_maintenance", "notify", "webhook", "timeout"]

    /// `hooks: { on_holder, on_standby, on_fault, on_maintenance, notify, webhook, timeout }`, optional, in
    /// `fields` (the top level or a group). An empty layer when absent; nil when it has problems.
    mutating func hooksLayer(_ fields: Fields) -> HooksLayer? {
        guard let node = value(fields, "hooks", required: false) else { return HooksLayer() }
        guard let entries = self.fields(node, path: fields.path("hooks"), allowed: ConfigReader.hookKeys) else {
            return nil
        }
        var layer = HooksLayer()
        var complete = true
        func read<T>(_ key: String, _ value: T?) -> T? {
            if entries.has(key) && value == nil { complete = false }
            return value
        }
        layer.onHolder = read("on_holder", hookCommand(entries, "on_holder"))
        layer.onStandby = read("on_standby", hookCommand(entries, "on_standby"))
        layer.onFault = read("on_fault", hookCommand(entries, "on_fault"))
        layer.onMaintenance = read("on_maintenance", hookCommand(entries, "on_maintenance"))
        layer.notify = read("notify", hookNotify(entries))
        layer.webhook = read("webhook", hookWebhook(entries))
        layer.timeout = read(
            "timeout",
            duration(
                entries, "timeout", minimum: HooksConfig.timeoutRange.lowerBound,
                maximum: HooksConfig.timeoutRange.upperBound))
        return complete ? layer : nil
    }

    /// `on_holder: [/usr/local/bin/became-holder, --quiet]`: a program (absolute path) and its arguments,
    /// run without a shell. A single absolute path without spaces is taken as a program without arguments;
    /// `[]` switches an inherited command off.
    private mutating func hookCommand(_ entries: Fields, _ key: String) -> [String]? {
        let path = entries.path(key)
        guard let node = value(entries, key, required: false) else { return nil }
        let example = "write the program and its arguments as a list, e.g. `\(key): [/usr/local/bin/notify, "
            + "--group, web]` (no shell: for pipes or variables use `[/bin/sh, -c, \"...\"]`)"
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            if text.contains(where: { $0 == " " || $0 == "\t" }) {
                report(path, at: node, "`\(text)` is one text with spaces, but hooks run without a shell; " + example)
                return nil
            }
            guard text.hasPrefix("/"), text.count > 1 else {
                report(path, at: node, "`\(text)` must be an absolute path (starting with `/`); " + example)
                return nil
            }
            return [text]
        case .sequence(let sequence):
            var argv: [String] = []
            for (index, item) in sequence.enumerated() {
                guard let text = string(item, path: "\(path)[\(index)]") else { return nil }
                argv.append(text)
            }
            if let program = argv.first, let first = Array(sequence).first,
                !(program.hasPrefix("/") && program.count > 1)
            {
                report("\(path)[0]", at: first, "the program `\(program)` must be an absolute path "
                    + "(starting with `/`); hooks do not search PATH")
                return nil
            }
            return argv
        default:
            report(path, at: node, "must be a list of a program and its arguments; found \(node.kindDescription); "
                + example)
            return nil
        }
    }

    /// `notify: /etc/keepalived/notify.sh`: an absolute path; `""` switches an inherited one off.
    private mutating func hookNotify(_ entries: Fields) -> String? {
        guard let node = value(entries, "notify", required: false),
            let text = string(node, path: entries.path("notify"))
        else { return nil }
        if text.isEmpty { return "" }
        guard text.hasPrefix("/"), text.count > 1, !text.contains(" ") else {
            report(entries.path("notify"), at: node, "`\(text)` must be the absolute path of a script (starting "
                + "with `/`, no arguments); it is run as `SCRIPT GROUP <group> <STATE> <priority>`")
            return nil
        }
        return text
    }

    /// `webhook: https://hooks.example.com/floatip`: an http or https URL with a host; `""` switches an
    /// inherited one off.
    private mutating func hookWebhook(_ entries: Fields) -> String? {
        guard let node = value(entries, "webhook", required: false),
            let text = string(node, path: entries.path("webhook"))
        else { return nil }
        if text.isEmpty { return "" }
        guard Self.isWebURL(text) else {
            // Not quoted: a webhook's path often holds its token, and this message reaches the journal.
            report(entries.path("webhook"), at: node, "is not an http or https URL (the value is not repeated "
                + "here: it may hold a token); write e.g. `https://hooks.example.com/floatip` or "
                + "`http://127.0.0.1:8080/events`")
            return nil
        }
        return text
    }

    /// `http://host[:port][/path]` or `https://…`, with a non-empty host and no white space or control characters.
    static func isWebURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            rest = text.dropFirst("http://".count)
        } else if lower.hasPrefix("https://") {
            rest = text.dropFirst("https://".count)
        } else {
            return false
        }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else { return false }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPart = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let host = hostPart.hasPrefix("[") ? hostPart : (hostPart.split(separator: ":").first ?? "")
        return !host.isEmpty
    }
}
