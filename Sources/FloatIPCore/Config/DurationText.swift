/// Durations as written in the config: a number and a unit, such as `20ms`, `1.5s`, `500us`
/// (or `500µs`), `2m`, `1h`. Spaces between number and unit are allowed; the unit is not optional.
public enum DurationText {
    /// Why a text is not a duration.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// A number without a unit, such as `20`.
        case missingUnit(String)
        /// A unit other than ns, us, µs, ms, s, m, h.
        case unknownUnit(String)
        /// Not a number followed by a unit.
        case malformed(String)
        /// Finer than a nanosecond, or too long to count in nanoseconds.
        case outOfRange(String)

        public var description: String {
            switch self {
            case .missingUnit(let text):
                return "`\(text)` has no unit; units are required: write e.g. `\(text)ms` or `\(text)s` "
                    + "(units: ns, us, ms, s, m, h)"
            case .unknownUnit(let unit):
                return "unknown unit `\(unit)`; allowed units: ns, us (or µs), ms, s, m, h"
            case .malformed(let text):
                return "`\(text)` is not a duration; write a number and a unit, e.g. `20ms`, `1.5s`, `2m`"
            case .outOfRange(let text):
                return "`\(text)` is out of range: durations are whole nanoseconds up to about 292 years"
            }
        }
    }

    /// Nanoseconds per unit, by the unit's spellings.
    private static let units: [String: Int64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "min": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Parses `text`; a leading `-` gives a negative duration (which callers range-check).
    public static func parse(_ text: String) -> Result<Duration, ParseError> {
        let trimmed = text.trimmingSpaces
        var rest = Substring(trimmed)
        let negative = rest.first == "-"
        if negative { rest = rest.dropFirst() }
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = String(rest.dropFirst(number.count)).trimmingSpaces
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard !number.isEmpty, parts.count <= 2, !(parts.first ?? "").isEmpty,
            parts.count == 1 || !parts[1].isEmpty
        else { return .failure(.malformed(trimmed)) }
        if unit.isEmpty { return .failure(.missingUnit(trimmed)) }
        guard let scale = units[unit] else {
            return unit.first?.isLetter == true ? .failure(.unknownUnit(unit)) : .failure(.malformed(trimmed))
        }
        guard let whole = Int64(parts[0]) else { return .failure(.outOfRange(trimmed)) }
        var (total, overflow) = whole.multipliedReportingOverflow(by: scale)
        if overflow { return .failure(.outOfRange(trimmed)) }
        if parts.count == 2 {
            // The fraction, digit by digit, must land on whole nanoseconds.
            var place = scale
            for digit in parts[1] {
                guard let value = digit.wholeNumberValue else { return .failure(.malformed(trimmed)) }
                if value != 0 && place % 10 != 0 { return .failure(.outOfRange(trimmed)) }
                place /= 10
                (total, overflow) = total.addingReportingOverflow(Int64(value) * place)
                if overflow { return .failure(.outOfRange(trimmed)) }
            }
        }
        return .success(.nanoseconds(negative ? -total : total))
    }

    /// Formats a duration in the largest unit that shows it exactly: `20ms`, `1500ms`, `10s`, `2m`, `500us`.
    /// `parse(format(d))` gives back `d`.
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanoseconds
        if nanoseconds == 0 { return "0s" }
        let ordered: [(String, Int64)] = [
            ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000),
        ]
        for (unit, scale) in ordered where nanoseconds % scale == 0 {
            return "\(nanoseconds / scale)\(unit)"
        }
        return "\(nanoseconds)ns"
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (no Foundation needed).
    public var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// The text without leading and trailing white space.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
