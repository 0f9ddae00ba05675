import Foundation
import Yams

extension CheckKind {
    /// The keys a check of this kind takes besides the common ones (`CheckOptions`; docs/config.md, "checks").
    public var optionKeys: [String] {
        switch self {
        case .ping: ["max_rtt"]
        case .tcp: ["send", "expect"]
        case .http: ["method", "expect_status", "body_contains", "body_regex", "tls_verify"]
        case .command: ["arguments", "shell"]
        case .process: ["user"]
        case .systemd, .interface, .track: []
        case .file: ["expect"]
        case .log: ["pattern", "threshold", "window", "owner"]
        }
    }

    /// Every kind's option keys, each once.
    static let allOptionKeys: [String] = CheckKind.configurable.flatMap(\.optionKeys).reduce(into: [String]()) { keys, key in
        if !keys.contains(key) { keys.append(key) }
    }
}

extension ConfigReader {
    /// Reports the option keys in `entries` that a check of `kind` does not take, naming the ones it does.
    /// True when there were none.
    mutating func checkOptionKeysBelong(_ entries: Fields, kind: CheckKind) -> Bool {
        let foreign = CheckKind.allOptionKeys.filter { entries.entries[$0] != nil && !kind.optionKeys.contains($0) }
        for key in foreign {
            let owners = CheckKind.configurable.filter { $0.optionKeys.contains(key) }.map { "`\($0.rawValue)`" }
            let own = kind.optionKeys.isEmpty
                ? "a `\(kind.rawValue)` check takes no options besides "
                    + ConfigReader.checkKeys.joined(separator: ", ")
                : "a `\(kind.rawValue)` check's options are " + kind.optionKeys.joined(separator: ", ")
            report(entries.path(key), line: entries.keyLines[key] ?? entries.line(of: key),
                   "`\(key)` is not an option of a `\(kind.rawValue)` check (it belongs to "
                       + owners.joined(separator: ", ") + " checks); " + own)
        }
        return foreign.isEmpty
    }

    /// The kind's options, defaulted where not written; nil when any is invalid (reported).
    /// `timeout` is the check's timeout (a `max_rtt` must be shorter).
    mutating func checkOptions(_ entries: Fields, kind: CheckKind, target: String?, timeout: Duration)
        -> CheckOptions?
    {
        let before = problems.count
        let options: CheckOptions
        switch kind {
        case .ping:
            let maxRTT = duration(entries, "max_rtt", minimum: .microseconds(1), maximum: .seconds(3600))
            if let maxRTT, maxRTT >= timeout {
                report(entries.path("max_rtt"), line: entries.line(of: "max_rtt"),
                       "max_rtt \(DurationText.format(maxRTT)) must be shorter than the check's timeout "
                           + "\(DurationText.format(timeout)) (a slower reply already fails by the timeout)")
            }
            options = .ping(PingCheckOptions(maxRTT: maxRTT))
        case .tcp:
            options = .tcp(TCPCheckOptions(send: text(entries, "send"), expect: text(entries, "expect")))
        case .http:
            options = .http(httpOptions(entries, target: target))
        case .command:
            let shell = bool(entries, "shell") ?? false
            let arguments = stringList(entries, "arguments") ?? []
            if shell, !arguments.isEmpty {
                report(entries.path("arguments"), line: entries.line(of: "arguments"),
                       "with `shell: true` the target is the whole command line; write the arguments into it "
                           + "instead of `arguments`")
            }
            options = .command(CommandCheckOptions(arguments: arguments, shell: shell))
        case .process:
            options = .process(ProcessCheckOptions(user: localUser(entries, "user")))
        case .systemd:
            options = .systemd
        case .file:
            let expect = choice(entries, "expect", FileExpectation.self) ?? .exists
            options = .file(FileCheckOptions(expect: expect))
        case .log:
            let pattern = regex(entries, "pattern", required: true)
            let threshold = int(entries, "threshold", required: false, in: 0...1_000_000,
                                what: "matching lines from 0 to 1000000")
            let window = duration(entries, "window", minimum: .seconds(1), maximum: .seconds(86_400))
            let owner = localUser(entries, "owner")
            options = .log(LogCheckOptions(pattern: pattern ?? "", threshold: threshold ?? 0,
                                           window: window ?? .seconds(60), owner: owner))
        case .interface:
            options = .interface
        case .track:
            options = .track(TrackConfig(targets: []))  // never reached: `checkKind` refuses `track`
        }
        return problems.count == before ? options : nil
    }

    private mutating func httpOptions(_ entries: Fields, target: String?) -> HTTPCheckOptions {
        var options = HTTPCheckOptions()
        options.method = choice(entries, "method", HTTPCheckMethod.self, uppercased: true) ?? .get
        options.expectStatus = statusSet(entries, "expect_status") ?? options.expectStatus
        options.bodyContains = text(entries, "body_contains")
        options.bodyRegex = regex(entries, "body_regex", required: false)
        options.tlsVerify = bool(entries, "tls_verify") ?? true
        if options.method == .head {
            for key in ["body_contains", "body_regex"] where entries.has(key) {
                report(entries.path(key), line: entries.line(of: key),
                       "a HEAD request gets no body to look into; use `method: GET` or remove `\(key)`")
            }
        }
        if entries.has("tls_verify"), let target, !target.hasPrefix("https://") {
            report(entries.path("tls_verify"), line: entries.line(of: "tls_verify"),
                   "`tls_verify` applies to https:// URLs only; the target is `\(target)`")
        }
        return options
    }

    /// Text as written (YAML double quotes resolve escapes such as `\r\n`); must not be empty.
    private mutating func text(_ entries: Fields, _ key: String) -> String? {
        guard let node = value(entries, key, required: false), let text = string(node, path: entries.path(key))
        else { return nil }
        if text.isEmpty {
            report(entries.path(key), at: node, "must not be empty; remove `\(key)` to leave it out")
            return nil
        }
        return text
    }

    /// One of an enumeration's raw values.
    private mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ entries: Fields, _ key: String, _ type: Choice.Type, uppercased: Bool = false
    ) -> Choice? where Choice.RawValue == String {
        guard let node = value(entries, key, required: false), let text = string(node, path: entries.path(key))
        else { return nil }
        guard let chosen = Choice(rawValue: uppercased ? text.uppercased() : text) else {
            let allowed = Choice.allCases.map(\.rawValue)
            report(entries.path(key), at: node, "`\(text)` is not allowed here" + didYouMean(text, among: allowed)
                + "; allowed: " + allowed.joined(separator: ", "))
            return nil
        }
        return chosen
    }

    /// A user name or a numeric uid (`LocalUser`).
    private mutating func localUser(_ entries: Fields, _ key: String) -> LocalUser? {
        guard let node = value(entries, key, required: false), let text = string(node, path: entries.path(key))
        else { return nil }
        guard let user = LocalUser(text) else {
            report(entries.path(key), at: node, "`\(text)` is not a user; " + LocalUser.nameRule)
            return nil
        }
        return user
    }

    /// A list of scalars, each taken as text.
    private mutating func stringList(_ entries: Fields, _ key: String) -> [String]? {
        guard let node = value(entries, key, required: false),
            let items = items(node, path: entries.path(key), of: "arguments (text)")
        else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = string(item, path: "\(entries.path(key))[\(index)]") else { return nil }
            result.append(text)
        }
        return result
    }

    /// A regular expression that compiles (NSRegularExpression, ICU syntax).
    private mutating func regex(_ entries: Fields, _ key: String, required: Bool) -> String? {
        guard let node = value(entries, key, required: required), let text = string(node, path: entries.path(key))
        else { return nil }
        guard !text.isEmpty else {
            report(entries.path(key), at: node, "must not be empty")
            return nil
        }
        guard (try? NSRegularExpression(pattern: text)) != nil else {
            report(entries.path(key), at: node, "`\(text)` is not a regular expression that compiles (ICU syntax, "
                + "as NSRegularExpression); check its brackets, parentheses, repetitions and escapes")
            return nil
        }
        return text
    }

    /// `expect_status: 200`, `"200-299"`, or a list of those; codes from 100 to 599.
    private mutating func statusSet(_ entries: Fields, _ key: String) -> [ClosedRange<Int>]? {
        guard let node = value(entries, key, required: false) else { return nil }
        let nodes: [Node]
        if case .sequence(let sequence) = node { nodes = Array(sequence) } else { nodes = [node] }
        if nodes.isEmpty {
            report(entries.path(key), at: node, "must name at least one status code or range, such as `200-299`")
            return nil
        }
        var ranges: [ClosedRange<Int>] = []
        for (index, item) in nodes.enumerated() {
            let path = node.sequence == nil ? entries.path(key) : "\(entries.path(key))[\(index)]"
            guard let text = string(item, path: path) else { return nil }
            guard let range = ConfigReader.statusRange(text) else {
                report(path, at: item, "`\(text)` is not a status code or range; write codes such as `200` or "
                    + "ranges such as `200-299`, from 100 to 599")
                return nil
            }
            ranges.append(range)
        }
        return ranges
    }

    /// `204` or `200-299` (low ≤ high, 100…599).
    static func statusRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.trimmingSpaces.split(separator: "-", omittingEmptySubsequences: false)
            .map { String($0).trimmingSpaces }
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let low = Int(parts[0]), let high = Int(parts[parts.count - 1]),
            (100...599).contains(low), (100...599).contains(high), low <= high
        else { return nil }
        return low...high
    }
}
