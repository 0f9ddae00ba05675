import Yams

extension ConfigReader {
    static let checkKeys = ["name", "kind", "target", "interval", "timeout", "rise", "fall", "required", "weight"]

    /// `checks: [...]`, optional; names unique.
    mutating func checkConfigs(_ top: Fields) -> [Located<CheckConfig>]? {
        guard let list = value(top, "checks", required: false) else { return [] }
        guard let items = items(list, path: "checks", of: "checks ({ name, kind, target, ... })") else { return nil }
        return uniquelyNamed(items, list: "checks", what: "check", name: \.name) { reader, item, path in
            reader.checkConfig(item, path: path)
        }
    }

    /// One check; `line` of the result is the line of its name.
    mutating func checkConfig(_ item: Node, path: String) -> Located<CheckConfig>? {
        // Every kind's option keys are accepted here and judged once the kind is known; unknown keys are
        // reported with the written kind's own options as the alternatives.
        let writtenKind = item.mapping?["kind"]?.scalar.flatMap { CheckKind(rawValue: $0.string) }
            .flatMap { $0 == .track ? nil : $0 }
        guard
            let entries = fields(
                item, path: path, allowed: ConfigReader.checkKeys + CheckKind.allOptionKeys,
                listed: ConfigReader.checkKeys + (writtenKind?.optionKeys ?? CheckKind.allOptionKeys))
        else { return nil }
        let name = name(entries, "name", required: true)
        let kind = checkKind(entries)
        let target = string(entries, "target", required: true)
        let interval = duration(entries, "interval", minimum: .milliseconds(10), maximum: .seconds(3600))
        let timeout = duration(entries, "timeout", minimum: .milliseconds(1), maximum: .seconds(3600))
        let rise = int(entries, "rise", required: false, in: 1...100, what: "from 1 to 100 results in a row")
        let fall = int(entries, "fall", required: false, in: 1...100, what: "from 1 to 100 results in a row")
        let required = bool(entries, "required")
        let weight = int(entries, "weight", required: false, in: -253...253, what: "from -253 to 253, not 0")
        let effect = checkEffect(entries, required: required, weight: weight)
        let defaults = CheckConfig(name: "", kind: .command, target: "")
        let effectiveInterval = interval ?? defaults.interval
        let effectiveTimeout = timeout ?? defaults.timeout
        var options: CheckOptions?
        if let kind, checkOptionKeysBelong(entries, kind: kind) {
            options = checkOptions(entries, kind: kind, target: target, timeout: effectiveTimeout)
        }
        if let kind, let target {
            let shell = if case .command(let command) = options { command.shell } else { false }
            checkTarget(entries, kind: kind, target: target, shell: shell)
        }
        var timingOK = true
        let timingRead = (interval != nil || !entries.has("interval")) && (timeout != nil || !entries.has("timeout"))
        if timingRead, effectiveTimeout >= effectiveInterval {
            report(entries.path("timeout"), line: entries.line(of: timeout != nil ? "timeout" : "interval"),
                   "timeout \(DurationText.format(effectiveTimeout)) must be shorter than the check's interval "
                       + "\(DurationText.format(effectiveInterval))")
            timingOK = false
        }
        let read = ["interval": interval != nil, "timeout": timeout != nil, "rise": rise != nil, "fall": fall != nil]
        guard let name, let kind, let target, let effect, let options, timingOK,
            read.allSatisfy({ key, ok in ok || !entries.has(key) })
        else { return nil }
        let check = CheckConfig(
            name: name, kind: kind, target: target, interval: effectiveInterval, timeout: effectiveTimeout,
            rise: rise ?? defaults.rise, fall: fall ?? defaults.fall, effect: effect, options: options)
        return Located(value: check, path: path, line: entries.line(of: "name"))
    }

    /// `kind: http` and the other `CheckKind`s.
    private mutating func checkKind(_ entries: Fields) -> CheckKind? {
        guard let node = value(entries, "kind", required: true), let text = string(node, path: entries.path("kind"))
        else { return nil }
        if text == CheckKind.track.rawValue {
            report(entries.path("kind"), at: node, "`track` is not a check kind; tracking is configured with the "
                + "top-level `track:` (docs/config.md, \"track\")")
            return nil
        }
        guard let kind = CheckKind(rawValue: text) else {
            let allowed = CheckKind.configurable.map(\.rawValue)
            report(entries.path("kind"), at: node, "unknown check kind `\(text)`" + didYouMean(text, among: allowed)
                + "; allowed: " + allowed.joined(separator: ", "))
            return nil
        }
        return kind
    }

    /// `required: true` (the default) or a `weight`, not both.
    private mutating func checkEffect(_ entries: Fields, required: Bool?, weight: Int?) -> CheckEffect? {
        if entries.has("required") && required == nil || entries.has("weight") && weight == nil { return nil }
        switch (required, weight) {
        case (true, .some):
            report(entries.path("weight"), line: entries.line(of: "weight"),
                   "a check is either required (`required: true`) or weighted (`weight`), not both; "
                       + "remove one of them")
            return nil
        case (_, .some(0)):
            report(entries.path("weight"), line: entries.line(of: "weight"),
                   "a weight of 0 has no effect; use a number from -253 to 253 other than 0, or remove the check")
            return nil
        case (_, .some(let weight)):
            return .weight(weight)
        case (false, nil):
            report(entries.path("required"), line: entries.line(of: "required"),
                   "a check with `required: false` needs a `weight` (the priority change while it fails)")
            return nil
        case (_, nil):
            return .required
        }
    }
}
