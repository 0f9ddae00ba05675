extension IPPrefix {
    /// Why a text is not an address with a prefix length.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The part before `/` is not an IPv4 or IPv6 address.
        case badAddress(String)
        /// The part after `/` is not a whole number.
        case badLength(String)
        /// The length is longer than the family allows (32 for IPv4, 128 for IPv6).
        case lengthTooLong(Int, maximum: Int)

        public var description: String {
            switch self {
            case .badAddress(let text):
                return "`\(text)` is not an IP address; write IPv4 as `198.18.0.100` or IPv6 as `2001:2::100`, "
                    + "optionally with a prefix length (`/32`, `/128`)"
            case .badLength(let text):
                return "prefix length `\(text)` is not a whole number (0 to 32 for IPv4, 0 to 128 for IPv6)"
            case .lengthTooLong(let length, let maximum):
                return "prefix length /\(length) is longer than the family allows (at most /\(maximum))"
            }
        }
    }

    /// Parses CIDR text (`198.18.0.100/32`, `2001:2::100/64`); without a `/`, the length is the
    /// family's full length (/32 or /128).
    public static func parse(_ text: String) -> Result<IPPrefix, ParseError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(parts[0])
        guard let address = IPAddress(addressText) else { return .failure(.badAddress(addressText)) }
        guard parts.count == 2 else { return .success(IPPrefix(address: address, length: address.maxPrefixLength)) }
        let lengthText = parts[1]
        guard (1...3).contains(lengthText.count), lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(lengthText)
        else { return .failure(.badLength(String(lengthText))) }
        guard length <= address.maxPrefixLength else {
            return .failure(.lengthTooLong(length, maximum: address.maxPrefixLength))
        }
        return .success(IPPrefix(address: address, length: length))
    }
}
