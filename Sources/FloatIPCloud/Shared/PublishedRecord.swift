import FloatIPCore

/// What a DNS mover over a provider's HTTP API (`cloudflare`, `route53`) publishes while this node
/// holds the group: the name, its TTL, and this node's address per family (`A`, `AAAA`).
///
/// As a `CloudProvider`, such a mover's target is the addresses it publishes, and the holder the
/// provider reports is the record's content in the same form (`203.0.113.10`, or
/// `203.0.113.10, 2001:db8::10`), so "held here" is the record already pointing at this node.
public struct PublishedRecord: Sendable, Equatable {
    /// The record's name, lower case, without the final dot (`www.example.com`).
    public var name: String
    /// Seconds.
    public var ttl: Int
    /// One address per family, IPv4 first.
    public var addresses: [IPAddress]

    public init(name: String, ttl: Int, addresses: [IPAddress]) {
        self.name = name
        self.ttl = ttl
        self.addresses = addresses
    }

    /// The record type of each published address, in order (`A`, `AAAA`).
    public var types: [String] { addresses.map(Self.type) }

    /// `A` for IPv4, `AAAA` for IPv6.
    public static func type(_ address: IPAddress) -> String { address.isIPv4 ? "A" : "AAAA" }

    /// The addresses as the holder is compared: `203.0.113.10, 2001:db8::10`.
    public var target: String { addresses.map(\.description).joined(separator: ", ") }

    /// The holder as read: the content of each published type's record set, in `types` order
    /// (several values of one type joined by a space); nil when none of them exists.
    public static func holder(_ contents: [[String]]) -> String? {
        let present = contents.filter { !$0.isEmpty }
        guard !present.isEmpty else { return nil }
        return contents.map { $0.isEmpty ? "(none)" : $0.joined(separator: " ") }.joined(separator: ", ")
    }

    /// `www.example.com.` or `WWW.Example.com` as `www.example.com`, to compare names.
    public static func normalised(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }
}

extension OptionCheck {
    /// Reads `name`, `ttl` and `address` (default `nodeAddress`) into a `PublishedRecord`; the TTL
    /// must lie in `ttlRange` (or be one of `ttlExtra`: Cloudflare's 1 means "automatic").
    public mutating func publishedRecord(
        ttlRange: ClosedRange<Int>, ttlExtra: Set<Int> = [], ttlDefault: Int = 60
    ) -> PublishedRecord? {
        let name = required("name", "the record to point at the holder, e.g. `www.example.com`")
        if let name, !Self.isDomainName(name) {
            report("name", "`\(name)` is not a domain name (letters, digits, `-`, `_` and dots, e.g. `www.example.com`)")
        }
        var ttl = ttlDefault
        if let text = optional("ttl") {
            let seconds = Int(text) ?? wholeSeconds(text)
            if let seconds, ttlRange.contains(seconds) || ttlExtra.contains(seconds) {
                ttl = seconds
            } else {
                let extra = ttlExtra.sorted().map { "\($0), " }.joined()
                report("ttl", "`\(text)` is not a TTL here; write whole seconds: \(extra)\(ttlRange.lowerBound) to "
                    + "\(ttlRange.upperBound) (`60`, `60s`, `5m`)")
            }
        }
        let addresses = publishedAddresses()
        guard let name, Self.isDomainName(name), let addresses else { return nil }
        return PublishedRecord(name: PublishedRecord.normalised(name), ttl: ttl, addresses: addresses)
    }

    /// `address` (one per family, `203.0.113.10, 2001:db8::10`), else this node's own address.
    private mutating func publishedAddresses() -> [IPAddress]? {
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

    private func wholeSeconds(_ text: String) -> Int? {
        guard case .success(let duration) = DurationText.parse(text), duration.components.attoseconds == 0,
            duration.components.seconds >= 0
        else { return nil }
        return Int(duration.components.seconds)
    }

    /// Labels of letters, digits, `-` and `_` (`_acme`, `*` as the first label), 1 to 63 bytes,
    /// 253 in all; a final dot is allowed.
    static func isDomainName(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.enumerated().allSatisfy { index, label in
            if index == 0, label == "*" { return true }
            return (1...63).contains(label.utf8.count)
                && label.utf8.allSatisfy { byte in
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                }
        }
    }
}
