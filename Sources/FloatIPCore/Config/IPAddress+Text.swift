extension IPAddress {
    /// Parses dotted-quad IPv4 (`198.18.0.1`) or RFC 4291 IPv6 text (`2001:2::1`, `::ffff:198.18.0.1`).
    /// Returns nil for anything else (no zone ids, no leading zeros in IPv4 octets).
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let (high, low) = parseIPv6(Substring(text)) else { return nil }
            self = .v6(high, low)
        } else {
            guard let value = parseIPv4(Substring(text)) else { return nil }
            self = .v4(value)
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return (0..<4).map { String((value >> (24 - 8 * UInt32($0))) & 0xFF) }.joined(separator: ".")
        case .v6(let high, let low):
            let words = (0..<8).map { index -> UInt16 in
                let half = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: half >> (48 - 16 * UInt64(index % 4)))
            }
            return formatIPv6(words)
        }
    }

    /// The address in 4 (IPv4) or 16 (IPv6) bytes in network order; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let high = bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
            let low = bytes.dropFirst(8).reduce(0) { $0 << 8 | UInt64($1) }
            self = .v6(high, low)
        default: return nil
        }
    }

    /// The address as bytes in network order (4 or 16).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value): return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32($0))) }
        case .v6(let high, let low):
            return (0..<16).map { index in
                let half = index < 8 ? high : low
                return UInt8(truncatingIfNeeded: half >> (56 - 8 * UInt64(index % 8)))
            }
        }
    }
}

private func parseIPv4(_ text: Substring) -> UInt32? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var value: UInt32 = 0
    for part in parts {
        guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
            part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
        else { return nil }
        value = value << 8 | octet
    }
    return value
}

private func parseIPv6(_ text: Substring) -> (UInt64, UInt64)? {
    var words: [UInt16] = []
    let halves = splitOnDoubleColon(text)
    guard halves.count <= 2 else { return nil }
    func parseRun(_ run: String, allowIPv4Tail: Bool) -> [UInt16]? {
        if run.isEmpty { return [] }
        var out: [UInt16] = []
        let groups = run.split(separator: ":", omittingEmptySubsequences: false)
        for (index, group) in groups.enumerated() {
            if allowIPv4Tail, index == groups.count - 1, group.contains(".") {
                guard let v4 = parseIPv4(group) else { return nil }
                out.append(UInt16(v4 >> 16))
                out.append(UInt16(v4 & 0xFFFF))
            } else {
                guard (1...4).contains(group.count), let word = UInt16(group, radix: 16) else { return nil }
                out.append(word)
            }
        }
        return out
    }
    if halves.count == 2 {
        guard let head = parseRun(halves[0], allowIPv4Tail: false),
            let tail = parseRun(halves[1], allowIPv4Tail: true), head.count + tail.count <= 7
        else { return nil }
        words = head
        words += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    } else {
        guard let all = parseRun(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
        words = all
    }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for (index, word) in words.enumerated() {
        if index < 4 { high = high << 16 | UInt64(word) } else { low = low << 16 | UInt64(word) }
    }
    return (high, low)
}

private func splitOnDoubleColon(_ text: Substring) -> [String] {
    var parts: [String] = []
    var current = ""
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(after: index)
        if text[index] == ":", next < text.endIndex, text[next] == ":" {
            parts.append(current)
            current = ""
            index = text.index(after: next)
        } else {
            current.append(text[index])
            index = next
        }
    }
    parts.append(current)
    return parts
}

/// RFC 5952: lower case, the longest run (2+) of zero words compressed to `::`.
private func formatIPv6(_ words: [UInt16]) -> String {
    var bestStart = -1
    var bestLength = 0
    var index = 0
    while index < 8 {
        if words[index] == 0 {
            var end = index
            while end < 8 && words[end] == 0 { end += 1 }
            if end - index > bestLength && end - index >= 2 {
                bestStart = index
                bestLength = end - index
            }
            index = end
        } else {
            index += 1
        }
    }
    let hex = words.map { String($0, radix: 16) }
    if bestStart < 0 { return hex.joined(separator: ":") }
    let head = hex[..<bestStart].joined(separator: ":")
    let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
    return head + "::" + tail
}
