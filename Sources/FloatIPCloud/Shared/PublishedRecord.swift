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
        let ttl = ttl(range: ttlRange, extra: ttlExtra, default: ttlDefault)
        let addresses = publishedAddresses()
        guard let name, Self.isDomainName(name), let addresses else { return nil }
        return PublishedRecord(name: PublishedRecord.normalised(name), ttl: ttl, addresses: addresses)
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
