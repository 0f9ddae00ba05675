import Yams

extension ConfigReader {
    static let coordinationKeys = [
        "kind", "endpoints", "ttl", "prefix", "user", "password_file", "ca_file", "cert_file", "key_file",
        PlainHTTP.allowOption,
    ]

    /// `coordination: { kind: etcd, endpoints, ttl, prefix, user, password_file, ca_file, cert_file, key_file,
    /// allow_insecure_http }`, optional. `.some(nil)` when absent; nil when it has problems.
    mutating func coordinationConfig(_ top: Fields) -> CoordinationConfig?? {
        guard let node = value(top, "coordination", required: false) else { return .some(nil) }
        guard let entries = fields(node, path: "coordination", allowed: ConfigReader.coordinationKeys) else {
            return nil
        }
        var complete = true
        func read<T>(_ key: String, _ value: T?) -> T? {
            if entries.has(key) && value == nil { complete = false }
            return value
        }
        let kind = coordinationKind(entries)
        let endpoints = coordinationEndpoints(entries)
        let ttl = read("ttl", coordinationTTL(entries))
        let prefix = read("prefix", coordinationPrefix(entries))
        let user = read("user", string(entries, "user", required: false))
        let passwordFile = read("password_file", absolutePath(entries, "password_file", required: false))
        let caFile = read("ca_file", absolutePath(entries, "ca_file", required: false))
        let certFile = read("cert_file", absolutePath(entries, "cert_file", required: false))
        let keyFile = read("key_file", absolutePath(entries, "key_file", required: false))
        let allowPlainHTTP = read(PlainHTTP.allowOption, bool(entries, PlainHTTP.allowOption)) ?? false
        guard let kind, let endpoints, complete else { return nil }

        if entries.has("user") != entries.has("password_file") {
            let (given, missing) = entries.has("user") ? ("user", "password_file") : ("password_file", "user")
            report(entries.path(given), line: entries.line(of: given),
                   "`\(given)` needs `\(missing)` too: etcd authentication takes a user and its password file")
            complete = false
        }
        if entries.has("cert_file") != entries.has("key_file") {
            let (given, missing) = entries.has("cert_file") ? ("cert_file", "key_file") : ("key_file", "cert_file")
            report(entries.path(given), line: entries.line(of: given),
                   "`\(given)` needs `\(missing)` too: a client certificate goes with its private key")
            complete = false
        }
        let tlsKeys = ["ca_file", "cert_file", "key_file"].filter { entries.has($0) }
        if let first = tlsKeys.first, let plain = endpoints.first(where: { $0.lowercased().hasPrefix("http://") }) {
            report(entries.path(first), line: entries.line(of: first),
                   "`\(first)` is set but endpoint `\(plain)` is plain http; TLS files need https endpoints")
            complete = false
        }
        // The password goes with every request (etcd's authenticate call, then its token).
        if entries.has("user"), !allowPlainHTTP, let plain = endpoints.first(where: PlainHTTP.leavesTheMachine) {
            report(entries.path("endpoints"), line: entries.line(of: "endpoints"),
                   PlainHTTP.problem(plain, sends: "the etcd user's password"))
            complete = false
        }
        guard complete else { return nil }
        return .some(CoordinationConfig(
            kind: kind, endpoints: endpoints, ttl: ttl ?? CoordinationConfig.defaultTTL,
            prefix: prefix ?? CoordinationConfig.defaultPrefix, user: user, passwordFile: passwordFile,
            caFile: caFile, certFile: certFile, keyFile: keyFile))
    }

    /// `kind: etcd` (required).
    private mutating func coordinationKind(_ entries: Fields) -> CoordinationConfig.Kind? {
        guard let node = value(entries, "kind", required: true),
            let text = string(node, path: entries.path("kind"))
        else { return nil }
        let kinds = CoordinationConfig.Kind.allCases.map(\.rawValue)
        guard let kind = CoordinationConfig.Kind(rawValue: text) else {
            report(entries.path("kind"), at: node, "unknown coordination kind `\(text)`"
                + didYouMean(text, among: kinds) + "; known: " + kinds.joined(separator: ", "))
            return nil
        }
        return kind
    }

    /// `endpoints: [http://198.18.0.5:2379, …]` (required, at least one, no duplicates).
    private mutating func coordinationEndpoints(_ entries: Fields) -> [String]? {
        distinctTextList(
            entries, "endpoints", of: "etcd client URLs (`http://198.18.0.5:2379`)",
            empty: "needs at least one etcd client URL, e.g. `[http://198.18.0.5:2379]`", each: "member"
        ) { text throws(ItemProblem) in
            guard let endpoint = Self.etcdEndpoint(text) else {
                throw ItemProblem("`\(text)` is not an etcd client URL; write `http://HOST:PORT` or "
                    + "`https://HOST:PORT` (e.g. `http://198.18.0.5:2379`), without a path")
            }
            return endpoint
        }
    }

    /// `http(s)://host[:port]` with an optional trailing `/`, returned without it; nil for anything else.
    static func etcdEndpoint(_ text: String) -> String? {
        guard isWebURL(text) else { return nil }
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        let rest = trimmed.drop { $0 != ":" }.dropFirst(3)  // after `://`
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else { return nil }
        return trimmed
    }

    /// `ttl: 5s`: whole seconds, from `minimumTTL` to `maximumTTL`.
    private mutating func coordinationTTL(_ entries: Fields) -> Duration? {
        guard let ttl = duration(entries, "ttl", minimum: .zero) else { return nil }
        let problem: String? =
            if ttl < CoordinationConfig.minimumTTL {
                "\(DurationText.format(ttl)) is too short: etcd refuses a lease TTL below 1.5 × its election "
                    + "timeout (2s by default), so the minimum is \(DurationText.format(CoordinationConfig.minimumTTL))"
            } else if ttl > CoordinationConfig.maximumTTL {
                "\(DurationText.format(ttl)) is too long: a dead holder would keep the group that long; "
                    + "the maximum is \(DurationText.format(CoordinationConfig.maximumTTL))"
            } else if ttl.components.attoseconds != 0 {
                "\(DurationText.format(ttl)) is not a whole number of seconds; etcd leases count whole seconds"
            } else { nil }
        if let problem {
            report(entries.path("ttl"), line: entries.line(of: "ttl"), problem)
            return nil
        }
        return ttl
    }

    /// `prefix: /floatip`: starts with `/`, no trailing `/`, no white space.
    private mutating func coordinationPrefix(_ entries: Fields) -> String? {
        guard let node = value(entries, "prefix", required: false),
            let text = string(node, path: entries.path("prefix"))
        else { return nil }
        let valid = text.hasPrefix("/") && text.count > 1 && !text.hasSuffix("/")
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7f }
        guard valid else {
            report(entries.path("prefix"), at: node, "`\(text)` must start with `/`, not end with `/` and hold no "
                + "white space, e.g. `/floatip`")
            return nil
        }
        return text
    }
}
