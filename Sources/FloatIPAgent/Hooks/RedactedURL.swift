import Foundation

/// A URL as logs, status and events may show it: `scheme://host[:port]/…`, without the path, query,
/// fragment or user information, where webhook tokens live (Slack's and Discord's are in the path).
enum RedactedURL {
    /// `https://hooks.slack.com/…` for `https://hooks.slack.com/services/T0/B0/secret`; `(a URL)` for
    /// text that is not a URL with a host.
    static func of(_ text: String) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            let host = components.host, !host.isEmpty
        else { return "(a URL)" }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (components.port.map { ":\($0)" } ?? "") + "/…"
    }

    /// `message` with every occurrence of `url` (and of its path, query and user information on
    /// their own, which an HTTP client's error may quote) replaced by its redacted form.
    static func scrub(_ message: String, of url: String) -> String {
        var text = message.replacingOccurrences(of: url, with: of(url))
        guard let components = URLComponents(string: url) else { return text }
        let parts = [components.percentEncodedPath, components.percentEncodedQuery, components.percentEncodedUser,
                     components.percentEncodedPassword]
        for part in parts.compactMap({ $0 }) where part.count >= 4 && part != "/" {
            text = text.replacingOccurrences(of: part, with: "…")
        }
        return text
    }
}
