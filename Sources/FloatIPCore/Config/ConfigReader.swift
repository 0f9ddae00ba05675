import Yams

/// Walks a composed YAML tree by hand, collecting every problem instead of stopping at the first.
///
/// Each reader returns nil for a value it could not read and records why, with the field's path
/// and line; the parser carries on so that one run reports everything.
struct ConfigReader {
    let file: String
    private(set) var problems: [ConfigProblem] = []

    init(file: String) {
        self.file = file
    }

    mutating func report(_ path: String, line: Int?, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, path: path, message: message))
    }

    mutating func report(_ path: String, at node: Node, _ message: String) {
        report(path, line: node.mark?.line, message)
    }

    /// The entries of a mapping, by key. Reports a value that is not a mapping, keys that are not
    /// strings, and keys not in `allowed` (with a did-you-mean hint among `listed`, which defaults to
    /// `allowed`: a key may be accepted here and judged later, as check options are by kind).
    /// Nil when `node` is no mapping.
    mutating func fields(_ node: Node, path: String, allowed: [String], listed: [String]? = nil) -> Fields? {
        let listed = listed ?? allowed
        guard case .mapping(let mapping) = node else {
            report(path, at: node, "must be a mapping of \(listed.map { "`\($0)`" }.joined(separator: ", ")); "
                + "found \(node.kindDescription)")
            return nil
        }
        var entries: [String: Node] = [:]
        var keyLines: [String: Int] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report(path, at: key, "keys must be plain names; found \(key.kindDescription)")
                continue
            }
            let name = scalar.string
            if !allowed.contains(name) {
                report(Fields.join(path, name), at: key, "unknown key" + didYouMean(name, among: listed)
                    + "; allowed here: " + listed.joined(separator: ", "))
                continue
            }
            entries[name] = value
            keyLines[name] = key.mark?.line
        }
        return Fields(path: path, line: node.mark?.line, entries: entries, keyLines: keyLines)
    }

    /// A key's value, or nil; reports it when `required` and absent (or null).
    mutating func value(_ fields: Fields, _ key: String, required: Bool) -> Node? {
        if let node = fields.entries[key], !node.isNull { return node }
        if required {
            report(fields.path(key), line: fields.keyLines[key] ?? fields.line, "missing required field `\(key)`")
        }
        return nil
    }

    /// A scalar as text. Numbers and booleans are taken as written; mappings and sequences are not text.
    mutating func string(_ node: Node, path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(path, at: node, "must be text; found \(node.kindDescription)")
            return nil
        }
        return scalar.string
    }

    /// A non-empty string field.
    mutating func string(_ fields: Fields, _ key: String, required: Bool) -> String? {
        guard let node = value(fields, key, required: required),
            let text = string(node, path: fields.path(key))
        else { return nil }
        if text.trimmingSpaces.isEmpty {
            report(fields.path(key), at: node, "must not be empty")
            return nil
        }
        return text
    }

    /// A whole number within `range`; `what` says what is allowed (e.g. "a priority from 1 to 254").
    mutating func int(_ fields: Fields, _ key: String, required: Bool, in range: ClosedRange<Int>, what: String)
        -> Int?
    {
        guard let node = value(fields, key, required: required) else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any, let number = node.int
        else {
            report(fields.path(key), at: node, "must be a whole number (\(what)); found \(node.valueDescription)")
            return nil
        }
        guard range.contains(number) else {
            report(fields.path(key), at: node, "\(number) is out of range; allowed: \(what)")
            return nil
        }
        return number
    }

    /// `true` or `false`.
    mutating func bool(_ fields: Fields, _ key: String) -> Bool? {
        guard let node = value(fields, key, required: false) else { return nil }
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
            let flag = node.bool
        else {
            report(fields.path(key), at: node, "must be `true` or `false`; found \(node.valueDescription)")
            return nil
        }
        return flag
    }

    /// A duration with a unit (`20ms`, `1.5s`), at least `minimum` and at most `maximum`.
    mutating func duration(
        _ fields: Fields, _ key: String, minimum: Duration, maximum: Duration? = nil
    ) -> Duration? {
        guard let node = value(fields, key, required: false), let text = string(node, path: fields.path(key)) else {
            return nil
        }
        switch DurationText.parse(text) {
        case .failure(let error):
            report(fields.path(key), at: node, error.description)
            return nil
        case .success(let duration):
            let allowed = maximum.map { "from \(DurationText.format(minimum)) to \(DurationText.format($0))" }
                ?? "at least \(DurationText.format(minimum))"
            if duration < minimum || maximum.map({ duration > $0 }) == true {
                report(fields.path(key), at: node, "\(text) is out of range; allowed: \(allowed)")
                return nil
            }
            return duration
        }
    }

    /// A name: 1–63 letters, digits, `.`, `_` or `-`, starting with a letter or digit.
    mutating func name(_ fields: Fields, _ key: String, required: Bool) -> String? {
        guard let node = value(fields, key, required: required),
            let text = string(node, path: fields.path(key))
        else { return nil }
        guard ConfigNames.isValid(text) else {
            report(fields.path(key), at: node, "`\(text)` is not a valid name; " + ConfigNames.rule)
            return nil
        }
        return text
    }

    /// An absolute file path.
    mutating func absolutePath(_ fields: Fields, _ key: String, required: Bool) -> String? {
        guard let node = value(fields, key, required: required), let text = string(node, path: fields.path(key)) else {
            return nil
        }
        guard text.hasPrefix("/"), text.count > 1 else {
            report(fields.path(key), at: node, "`\(text)` must be an absolute path (starting with `/`)")
            return nil
        }
        return text
    }

    /// An IPv4 or IPv6 address (no prefix).
    mutating func address(_ fields: Fields, _ key: String, required: Bool) -> IPAddress? {
        guard let node = value(fields, key, required: required), let text = string(node, path: fields.path(key)) else {
            return nil
        }
        guard let address = IPAddress(text) else {
            report(fields.path(key), at: node, "`\(text)` is not an IP address; write IPv4 as `198.18.0.1` "
                + "or IPv6 as `2001:2::1` (no prefix, no zone)")
            return nil
        }
        return address
    }

    /// A UDP or TCP port, 1–65535.
    mutating func port(_ fields: Fields, _ key: String) -> UInt16? {
        int(fields, key, required: false, in: 1...65535, what: "a port from 1 to 65535").map { UInt16($0) }
    }

    /// The items of a sequence, or nil (reported) when `node` is not a sequence.
    mutating func items(_ node: Node, path: String, of what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(path, at: node, "must be a list of \(what); found \(node.kindDescription)")
            return nil
        }
        return Array(sequence)
    }
}

/// A mapping's known entries, with where it and each key stand.
struct Fields {
    /// The mapping's own path (`groups[0]`), empty at the top.
    let path: String
    /// The mapping's line.
    let line: Int?
    let entries: [String: Node]
    let keyLines: [String: Int]

    /// The path of one of its keys.
    func path(_ key: String) -> String { Fields.join(path, key) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { entries[key].map { !$0.isNull } ?? false }
}

/// The rule every name in the config follows (cluster, node, peers, groups, checks).
enum ConfigNames {
    static let rule = "names are 1 to 63 letters, digits, `.`, `_` or `-`, starting with a letter or digit"

    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
            || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// `" (did you mean `interval`?)"` when `word` is a small edit away from one of `candidates`, or the
/// start of one (`token` → `token_file`), else empty.
func didYouMean(_ word: String, among candidates: [String]) -> String {
    let lower = word.lowercased()
    if lower.count >= 3, let extended = candidates.first(where: { $0.lowercased().hasPrefix(lower) }) {
        return " (did you mean `\(extended)`?)"
    }
    let scored = candidates.map { ($0, editDistance(lower, $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return "" }
    let tolerance = best.0.count < 4 ? 1 : max(2, min(3, best.0.count / 3))
    guard best.1 <= tolerance else { return "" }
    return " (did you mean `\(best.0)`?)"
}

/// Levenshtein distance, by characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
        var current = [i + 1] + Array(repeating: 0, count: b.count)
        for (j, y) in b.enumerated() {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension Node {
    /// A YAML null (`~`, `null` or nothing), written plain.
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// "a mapping", "a list", "text `x`": what the operator wrote, for messages.
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar: return isNull ? "nothing (null)" : "`\(scalar?.string ?? "")`"
        }
    }

    /// Like `kindDescription`, naming quoted text as text.
    var valueDescription: String {
        if case .scalar(let scalar) = self, scalar.style != .plain, scalar.style != .any {
            return "quoted text \"\(scalar.string)\""
        }
        return kindDescription
    }
}
