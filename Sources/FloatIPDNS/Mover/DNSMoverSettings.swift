import FloatIPCore

/// The `dns` mover's options (`mover: { kind: dns, server: …, zone: …, name: … }`), validated.
/// Parsing is pure; the key file is read when the mover is made (`DNSMover.init`).
public struct DNSMoverSettings: Sendable, Equatable {
    /// Authoritative servers, tried in order (the primary first: it must accept updates).
    public var servers: [DNSServer]
    public var zone: DNSName
    public var name: DNSName
    /// TTL of the records the claim writes. Default 60 s: resolvers keep the old holder's address
    /// for up to this long after a failover.
    public var ttl: UInt32
    /// The BIND key file (or a file holding only the base64 secret); nil: unsigned updates.
    public var keyFile: String?
    public var keyName: String?
    public var algorithm: TSIGAlgorithm
    /// What this node publishes when it holds the group: `address`, else the node's own address.
    public var addresses: [IPAddress]
    /// Per request and server. Default 2 s.
    public var timeout: Duration
    /// What a release does to the record.
    public var release: ReleaseMode

    public enum ReleaseMode: String, Sendable, Equatable, CaseIterable {
        /// Nothing: the next holder's claim replaces the record (a name never points nowhere).
        case keep
        /// Deletes the record, but only while it still holds this node's address (an RFC 2136
        /// prerequisite), so a release never removes the next holder's record.
        case delete
    }

    /// Validates `options` (by `OptionCheck`, as every mover's are). Problems name `PATH.KEY`
    /// (`groups[0].mover.zone`) and say what is expected.
    public static func parse(
        _ options: [String: String], path: String, nodeAddress: IPAddress?
    ) -> Result<DNSMoverSettings, DNSMoverProblems> {
        var check = OptionCheck(options, nodeAddress: nodeAddress)
        var servers: [DNSServer] = []
        if let text = check.optional("server") {
            switch DNSServer.list(text) {
            case .success(let list): servers = list
            case .failure(let error): check.report("server", error.description)
            }
        } else {
            check.report("server", "missing: the authoritative server(s) that accept updates, e.g. `192.0.2.53` "
                + "or `127.0.0.1:5353,192.0.2.54` (tried in order)")
        }
        func name(_ key: String, example: String) -> DNSName? {
            guard let text = check.optional(key) else {
                check.report(key, "missing: a domain name, e.g. `\(example)`")
                return nil
            }
            do { return try DNSName(text) } catch {
                check.report(key, error.description)
                return nil
            }
        }
        let zone = name("zone", example: "example.com")
        let recordName = name("name", example: "www.example.com")
        if let zone, let recordName, !recordName.isSubdomain(of: zone) {
            check.report("name", "\(recordName) is not inside the zone \(zone)")
        }
        let ttl = UInt32(check.ttl(range: 0...86_400))
        var timeout = Duration.seconds(2)
        if let text = check.optional("timeout") {
            switch DurationText.parse(text) {
            case .success(let duration) where duration >= .milliseconds(10) && duration <= .seconds(60):
                timeout = duration
            case .success: check.report("timeout", "`\(text)` is out of range; use 10ms to 60s")
            case .failure(let error): check.report("timeout", error.description)
            }
        }
        var algorithm = TSIGAlgorithm.hmacSHA256
        let algorithmText = check.optional("algorithm")
        if let algorithmText {
            if let parsed = TSIGAlgorithm(rawValue: algorithmText.lowercased()) {
                algorithm = parsed
            } else {
                check.report("algorithm", "`\(algorithmText)` is not supported; use "
                    + TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        let keyName = check.optional("key_name")
        if let keyName, (try? DNSName(keyName)) == nil {
            check.report("key_name", "`\(keyName)` is not a key name (a domain name such as `floatip-web`)")
        }
        let keyFile = check.optional("key_file")
        if keyFile == nil, keyName != nil || algorithmText != nil {
            check.report("key_file", "missing: key_name and algorithm need the key's secret in key_file")
        }
        if let keyFile, !keyFile.hasPrefix("/") {
            check.report("key_file", "`\(keyFile)` is not an absolute path")
        }
        let addresses = check.publishedAddresses()
        var release = ReleaseMode.keep
        if let text = check.optional("release") {
            if let mode = ReleaseMode(rawValue: text) {
                release = mode
            } else {
                check.report("release", "`\(text)` is not a release mode; use keep (the default: the next holder "
                    + "replaces the record) or delete")
            }
        }
        check.finish(kind: .dns)
        guard check.problems.isEmpty, let zone, let recordName, let addresses else {
            return .failure(DNSMoverProblems(problems: check.problems.map {
                DNSMoverProblem(path: "\(path).\($0.key)", message: $0.message)
            }))
        }
        return .success(DNSMoverSettings(
            servers: servers, zone: zone, name: recordName, ttl: ttl, keyFile: keyFile, keyName: keyName,
            algorithm: algorithm, addresses: addresses, timeout: timeout, release: release))
    }
}
/// One problem with a mover option, named by its config path.
public struct DNSMoverProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Every problem with a mover's options.
public struct DNSMoverProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [DNSMoverProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
