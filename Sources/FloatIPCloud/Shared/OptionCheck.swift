import FloatIPCore
import Foundation

/// Reads a cloud mover's options (`MoverConfig.options`, text as written in the YAML) and collects
/// every problem, each naming its key. Keys nobody read are reported as unknown at the end, so a
/// misspelt option never passes silently. No I/O.
public struct OptionCheck {
    public let options: [String: String]
    /// This node's own address (`node.address`), for movers that publish it (the DNS movers); nil
    /// where it is not known.
    public let nodeAddress: IPAddress?
    public private(set) var problems: [(key: String, message: String)] = []
    private var read: Set<String> = []

    public init(_ options: [String: String], nodeAddress: IPAddress? = nil) {
        self.options = options
        self.nodeAddress = nodeAddress
    }

    /// Adds a problem for `key`.
    public mutating func report(_ key: String, _ message: String) { problems.append((key, message)) }

    /// A required text option.
    public mutating func required(_ key: String, _ what: String) -> String? {
        read.insert(key)
        guard let value = options[key]?.trimmed, !value.isEmpty else {
            report(key, "missing: set `\(key)` (\(what))")
            return nil
        }
        return value
    }

    /// An optional text option.
    public mutating func optional(_ key: String) -> String? {
        read.insert(key)
        guard let value = options[key]?.trimmed, !value.isEmpty else { return nil }
        return value
    }

    /// A required whole number above zero (a server or droplet id).
    public mutating func requiredID(_ key: String, _ what: String) -> Int? {
        guard let text = required(key, what) else { return nil }
        guard let number = Int(text), number > 0 else {
            report(key, "`\(text)` is not a positive whole number (\(what))")
            return nil
        }
        return number
    }

    /// A required IP address in text form.
    public mutating func requiredAddress(_ key: String, _ what: String) -> String? {
        guard let text = required(key, what) else { return nil }
        guard IPAddress(text) != nil else {
            report(key, "`\(text)` is not an IPv4 or IPv6 address (\(what))")
            return nil
        }
        return text
    }

    /// A duration (`30s`, `500ms`), default when absent; at least `minimum`.
    public mutating func duration(_ key: String, default fallback: Duration, minimum: Duration = .milliseconds(1)) -> Duration {
        guard let text = optional(key) else { return fallback }
        switch DurationText.parse(text) {
        case .failure(let error):
            report(key, "\(error)")
        case .success(let value):
            if value >= minimum { return value }
            report(key, "\(text) is too short; at least \(minimum.shortDescription)")
        }
        return fallback
    }

    /// An `http://` or `https://` base URL without a trailing slash; the default when absent. It
    /// carries credentials, so plain http to another machine is a problem unless the options say
    /// `allow_insecure_http: true` (`PlainHTTP`).
    public mutating func url(_ key: String, default fallback: String) -> String {
        let allowPlainHTTP = flag(PlainHTTP.allowOption)
        guard let text = optional(key) else { return fallback }
        guard let components = URLComponents(string: text), ["http", "https"].contains(components.scheme ?? ""),
            components.host?.isEmpty == false, components.query == nil
        else {
            report(key, "`\(text)` is not an http:// or https:// URL (e.g. `https://api.example.com`)")
            return fallback
        }
        if !allowPlainHTTP && PlainHTTP.leavesTheMachine(text) {
            report(key, PlainHTTP.problem(text, sends: "the API credentials"))
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// `true` or `false`; false when absent.
    public mutating func flag(_ key: String) -> Bool {
        guard let text = optional(key) else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default:
            if !problems.contains(where: { $0.key == key }) { report(key, "`\(text)` must be `true` or `false`") }
            return false
        }
    }

    /// Checks a credential's options (`NAME_file` or `NAME_env`); reading it happens later.
    public mutating func credential(_ name: String, _ what: String) {
        read.formUnion(["\(name)_file", "\(name)_env"])
        for problem in Credential.optionProblems(options, name: name, what: what) { report(problem.0, problem.1) }
    }

    /// Reports every option no reader asked for.
    public mutating func finish(kind: MoverKind) {
        for key in options.keys.sorted() where !read.contains(key) {
            let known = read.sorted()
            report(key, "unknown option for the `\(kind.rawValue)` mover; it takes: " + known.joined(separator: ", "))
        }
    }
}
