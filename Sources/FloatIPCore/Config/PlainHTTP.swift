/// Credentials never cross the network in clear: a URL that carries them (an etcd endpoint with a
/// user and password, a cloud mover's `endpoint`, `auth_url` or `network_endpoint`) must be
/// `https://`, or `http://` to this machine itself (127.0.0.0/8, ::1, `localhost`), unless the
/// config says `allow_insecure_http: true` where the URL is set. Pure.
public enum PlainHTTP {
    /// The option that allows plain http to other machines anyway.
    public static let allowOption = "allow_insecure_http"

    /// Whether `url` is `http://` to a host other than this machine's loopback.
    public static func leavesTheMachine(_ url: String) -> Bool {
        guard url.lowercased().hasPrefix("http://") else { return false }
        var authority = url.dropFirst("http://".count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring =
            authority.hasPrefix("[")
            ? authority.dropFirst().prefix { $0 != "]" }
            : authority.prefix { $0 != ":" }
        if host.lowercased() == "localhost" { return false }
        switch IPAddress(host) {
        case .v4(let value): return value >> 24 != 127
        case .v6(let high, let low): return !(high == 0 && low == 1)
        case nil: return true
        }
    }

    /// The problem for `field` set to `url`, which sends `what` in clear.
    public static func problem(_ url: String, sends what: String) -> String {
        "`\(url)` is plain http to another machine, which would send \(what) in clear; use https, or set "
            + "`\(allowOption): true` to allow it (only on a network you trust)"
    }
}
