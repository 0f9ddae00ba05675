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

    public static let keys = ["server", "zone", "name", "ttl", "key_file", "key_name", "algorithm", "address",
                              "timeout", "release"]

    /// Validates `options`. Problems name `PATH.KEY` (`groups[0].mover.zone`) and say what is expected.
    public static func parse(
        _ options: [String: String], path: String, nodeAddress: IPAddress?
    ) -> Result<DNSMoverSettings, DNSMoverProblems> {
        var problems: [DNSMoverProblem] = []
        func report(_ key: String, _ message: String) {
            problems.append(DNSMoverProblem(path: "\(path).\(key)", message: message))
        }
        for key in options.keys.sorted() where !keys.contains(key) {
            report(key, "unknown option of the dns mover; allowed: " + keys.joined(separator: ", "))
        }
        var servers: [DNSServer] = []
        if let text = options["server"] {
            switch DNSServer.list(text) {
            case .success(let list): servers = list
            case .failure(let error): report("server", error.description)
            }
        } else {
            report("server", "missing: the authoritative server(s) that accept updates, e.g. `192.0.2.53` "
                + "or `127.0.0.1:5353,192.0.2.54` (tried in order)")
        }
        func name(_ key: String, example: String) -> DNSName? {
            guard let text = options[key] else {
                report(key, "missing: a domain name, e.g. `\(example)`")
                return nil
            }
            do { return try DNSName(text) } catch {
                report(key, error.description)
                return nil
            }
        }
        let zone = name("zone", example: "example.com")
        let recordName = name("name", example: "www.example.com")
        if let zone, let recordName, !recordName.isSubdomain(of: zone) {
            report("name", "\(recordName) is not inside the zone \(zone)")
        }
        var ttl: UInt32 = 60
        if let text = options["ttl"] {
            if let seconds = seconds(text), seconds <= 86_400 {
                ttl = UInt32(seconds)
            } else {
                report("ttl", "`\(text)` is not a TTL; write whole seconds from 0 to 86400 (`60`, `60s`, `5m`)")
            }
        }
        var timeout = Duration.seconds(2)
        if let text = options["timeout"] {
            switch DurationText.parse(text) {
            case .success(let duration) where duration >= .milliseconds(10) && duration <= .seconds(60):
                timeout = duration
            case .success: report("timeout", "`\(text)` is out of range; use 10ms to 60s")
            case .failure(let error): report("timeout", error.description)
            }
        }
        var algorithm = TSIGAlgorithm.hmacSHA256
        if let text = options["algorithm"] {
            if let parsed = TSIGAlgorithm(rawValue: text.lowercased()) {
                algorithm = parsed
            } else {
                report("algorithm", "`\(text)` is not supported; use "
                    + TSIGAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let keyName = options["key_name"], (try? DNSName(keyName)) == nil {
            report("key_name", "`\(keyName)` is not a key name (a domain name such as `floatip-web`)")
        }
        if options["key_file"] == nil, options["key_name"] != nil || options["algorithm"] != nil {
            report("key_file", "missing: key_name and algorithm need the key's secret in key_file")
        }
        if let file = options["key_file"], !file.hasPrefix("/") {
            report("key_file", "`\(file)` is not an absolute path")
        }
        var addresses: [IPAddress] = []
        if let text = options["address"] {
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let address = IPAddress(part.trimmingSpacesSubstring) else {
                    report("address", "`\(part.trimmingSpacesSubstring)` is not an IP address; write this node's "
                        + "address(es) to publish, e.g. `203.0.113.10` or `203.0.113.10,2001:db8::10`")
                    continue
                }
                guard !addresses.contains(where: { DNSType.address($0) == DNSType.address(address) }) else {
                    report("address", "one address per family: the record points at one holder")
                    continue
                }
                addresses.append(address)
            }
        } else if let nodeAddress {
            addresses = [nodeAddress]
        } else {
            report("address", "missing: the address to publish (the node's own address is not known here)")
        }
        var release = ReleaseMode.keep
        if let text = options["release"] {
            if let mode = ReleaseMode(rawValue: text) {
                release = mode
            } else {
                report("release", "`\(text)` is not a release mode; use keep (the default: the next holder "
                    + "replaces the record) or delete")
            }
        }
        guard problems.isEmpty, let zone, let recordName else { return .failure(DNSMoverProblems(problems: problems)) }
        return .success(DNSMoverSettings(
            servers: servers, zone: zone, name: recordName, ttl: ttl, keyFile: options["key_file"],
            keyName: options["key_name"], algorithm: algorithm, addresses: addresses, timeout: timeout,
            release: release))
    }

    /// `60`, `60s`, `5m`, `1h` as whole seconds.
    private static func seconds(_ text: String) -> UInt64? {
        if let plain = UInt64(text) { return plain }
        guard case .success(let duration) = DurationText.parse(text),
            duration.components.attoseconds == 0, duration.components.seconds >= 0
        else { return nil }
        return UInt64(duration.components.seconds)
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

extension Substring {
    var trimmingSpacesSubstring: String { String(self).trimmingSpaces }
}
