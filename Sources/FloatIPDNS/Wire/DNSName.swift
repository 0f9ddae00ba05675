/// A domain name as a list of labels (without the root label). Compared case-insensitively, as
/// DNS compares names; written in wire form uncompressed (TSIG needs canonical form anyway).
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// The labels, most specific first, as raw bytes.
    public private(set) var labels: [[UInt8]]

    /// The root name `.`.
    public static let root = DNSName(checkedLabels: [])

    private init(checkedLabels: [[UInt8]]) {
        self.labels = checkedLabels
    }

    /// Labels read off the wire; checks the length limits.
    init(wireLabels: [[UInt8]]) throws(DNSWireError) {
        guard wireLabels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }),
            wireLabels.reduce(1, { $0 + $1.count + 1 }) <= 255
        else { throw .nameTooLong }
        labels = wireLabels
    }

    /// Parses `vip.example.test` or `vip.example.test.` (always absolute). Letters, digits, `-`, `_`
    /// and `*` only; no escapes.
    public init(_ text: String) throws(DNSWireError) {
        var trimmed = Substring(text)
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty {
            guard text == "." else { throw .badName(text, reason: "empty") }
            labels = []
            return
        }
        var labels: [[UInt8]] = []
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty else { throw .badName(text, reason: "empty label") }
            guard bytes.count <= 63 else { throw .badName(text, reason: "label longer than 63 bytes") }
            let allowed = bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "*")
            }
            guard allowed else {
                throw .badName(text, reason: "only letters, digits, `-`, `_` and `*` are allowed in a label")
            }
            labels.append(bytes)
        }
        guard labels.reduce(1, { $0 + $1.count + 1 }) <= 255 else { throw .badName(text, reason: "longer than 255 bytes") }
        self.labels = labels
    }

    /// `vip.example.test.`: absolute, with the trailing dot. Bytes outside printable ASCII (and `.`
    /// inside a label) are escaped as `\DDD` so a hostile name cannot forge a log line.
    public var description: String {
        if labels.isEmpty { return "." }
        return labels.map { label in
            label.map { byte -> String in
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "."), byte != UInt8(ascii: "\\") {
                    return String(UnicodeScalar(byte))
                }
                let digits = String(byte)
                return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }.joined()
        }.joined(separator: ".") + "."
    }

    /// The uncompressed wire form, in lowercase (RFC 4034 canonical form, as TSIG uses).
    public var wire: [UInt8] {
        var bytes: [UInt8] = []
        for label in labels {
            bytes.append(UInt8(label.count))
            bytes.append(contentsOf: label.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
        }
        bytes.append(0)
        return bytes
    }

    /// Whether this name is `zone` or below it.
    public func isSubdomain(of zone: DNSName) -> Bool {
        guard labels.count >= zone.labels.count else { return false }
        return DNSName(checkedLabels: Array(labels.suffix(zone.labels.count))) == zone
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool { lhs.wire == rhs.wire }

    public func hash(into hasher: inout Hasher) { hasher.combine(wire) }
}
