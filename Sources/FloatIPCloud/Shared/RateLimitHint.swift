import Foundation

/// Reads how long a provider asks us to wait: `Retry-After` (seconds or an HTTP date, RFC 9110),
/// else `RateLimit-Reset` (DigitalOcean: a Unix time; the IETF draft: seconds from now).
enum RateLimitHint {
    /// The wait the headers ask for, or nil when they ask for none (or cannot be read).
    /// `nowSeconds` is the wall clock in seconds since 1970.
    static func wait(headers: [(String, String)], nowSeconds: Double) -> Duration? {
        if let value = header("retry-after", in: headers) {
            if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
            if let date = httpDate(value) { return .milliseconds(Int64(max(0, date - nowSeconds) * 1000)) }
        }
        if let value = header("ratelimit-reset", in: headers), let number = Double(value), number >= 0 {
            // Above a billion it can only be a Unix time (2001 onwards); below, a delta.
            let seconds = number > 1_000_000_000 ? max(0, number - nowSeconds) : number
            return .milliseconds(Int64(seconds * 1000))
        }
        return nil
    }

    static func header(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0.lowercased() == name }.map { $0.1.trimmingCharacters(in: .whitespaces) }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` as seconds since 1970.
    static func httpDate(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)?.timeIntervalSince1970
    }
}
