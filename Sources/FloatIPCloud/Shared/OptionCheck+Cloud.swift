import FloatIPCore
import Foundation

extension OptionCheck {
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

    /// `metadata_endpoint`: the cloud's metadata service (Google's, Azure's), plain http like the
    /// service itself: it is sent no credential, and tests point it at a loopback fake.
    public mutating func metadataURL(default fallback: String) -> String {
        guard let text = optional("metadata_endpoint") else { return fallback }
        guard let components = URLComponents(string: text), ["http", "https"].contains(components.scheme ?? ""),
            components.host?.isEmpty == false, components.query == nil
        else {
            report("metadata_endpoint", "`\(text)` is not an http:// URL (the default is `\(fallback)`)")
            return fallback
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Checks a credential's options (`NAME_file` or `NAME_env`); reading it happens later.
    public mutating func credential(_ name: String, _ what: String) {
        accept(["\(name)_file", "\(name)_env"])
        for problem in Credential.optionProblems(options, name: name, what: what) { report(problem.0, problem.1) }
    }
}
