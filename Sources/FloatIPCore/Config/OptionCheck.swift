/// Reads a mover's options (`MoverConfig.options`, text as written in the YAML) and collects
/// every problem, each naming its key. Keys nobody read are reported as unknown at the end, so a
/// misspelt option never passes silently. No I/O.
public struct OptionCheck {
    public let options: [String: String]
    /// This node's own address (`node.address`), for movers that publish it (the DNS movers); nil
    /// where it is not known.
    public let nodeAddress: IPAddress?
    /// The group's floating addresses, for movers that route them by value (AWS route tables).
    public let addresses: [IPPrefix]
    public private(set) var problems: [(key: String, message: String)] = []
    private var read: Set<String> = []

    public init(_ options: [String: String], nodeAddress: IPAddress? = nil, addresses: [IPPrefix] = []) {
        self.options = options
        self.nodeAddress = nodeAddress
        self.addresses = addresses
    }

    /// Counts `keys` as read (options a reader checks elsewhere, such as a credential's).
    public mutating func accept(_ keys: [String]) { read.formUnion(keys) }

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

    /// A TTL in whole seconds (`60`, `60s`, `5m`) within `range` (or one of `extra`: Cloudflare's 1
    /// means "automatic"); `fallback` when absent.
    public mutating func ttl(_ key: String = "ttl", range: ClosedRange<Int>, extra: Set<Int> = [], default fallback: Int = 60) -> Int {
        guard let text = optional(key) else { return fallback }
        if let seconds = Int(text) ?? wholeSeconds(text), range.contains(seconds) || extra.contains(seconds) {
            return seconds
        }
        let listed = extra.sorted().map { "\($0), " }.joined()
        report(key, "`\(text)` is not a TTL here; write whole seconds: \(listed)\(range.lowerBound) to "
            + "\(range.upperBound) (`60`, `60s`, `5m`)")
        return fallback
    }

    /// `address` (one per family, `203.0.113.10, 2001:db8::10`), else this node's own address.
    public mutating func publishedAddresses() -> [IPAddress]? {
        guard let text = optional("address") else {
            if let nodeAddress { return [nodeAddress] }
            report("address", "missing: the address to publish (the node's own address is not known here)")
            return nil
        }
        var addresses: [IPAddress] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(part).trimmed
            guard let address = IPAddress(item) else {
                report("address", "`\(item)` is not an IP address; write this node's address(es) to publish, "
                    + "e.g. `203.0.113.10` or `203.0.113.10, 2001:db8::10`")
                return nil
            }
            guard !addresses.contains(where: { $0.isIPv4 == address.isIPv4 }) else {
                report("address", "one address per family: the record points at one holder")
                return nil
            }
            addresses.append(address)
        }
        return addresses.sorted { $0.isIPv4 && !$1.isIPv4 }
    }

    func wholeSeconds(_ text: String) -> Int? {
        guard case .success(let duration) = DurationText.parse(text), duration.components.attoseconds == 0,
            duration.components.seconds >= 0
        else { return nil }
        return Int(duration.components.seconds)
    }

    /// Reports every option no reader asked for.
    public mutating func finish(kind: MoverKind) {
        for key in options.keys.sorted() where !read.contains(key) {
            let known = read.sorted()
            report(key, "unknown option for the `\(kind.rawValue)` mover; it takes: " + known.joined(separator: ", "))
        }
    }
}
