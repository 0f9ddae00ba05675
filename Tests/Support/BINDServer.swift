import Foundation

/// A real BIND 9 `named` for tests: a temporary directory with named.conf, one primary zone and a
/// TSIG key from `tsig-keygen`, started in the foreground (`-g`) on a free port of 127.0.0.1 (or in
/// a network namespace), ended by its PID and the directory removed in `stop()` / deinit.
public final class BINDServer: @unchecked Sendable {
    /// Whether BIND's tests can run here: named and tsig-keygen are installed. In CI (CI=true) the
    /// tests run anyway and fail with `missingReason`, so a broken CI image is noticed.
    public static let runnable: Bool = installed || ProcessInfo.processInfo.environment["CI"] == "true"
    public static let installed: Bool = ["named", "tsig-keygen", "dig"].allSatisfy { ExternalTool.path(of: $0) != nil }
    public static let missingReason = "needs BIND 9 (named, tsig-keygen, dig: apt-get install bind9 bind9-dnsutils)"

    public let directory: String
    public let address: String
    public let port: UInt16
    public let zone: String
    /// The key's name and the path of its BIND key file (as `tsig-keygen` wrote it).
    public let keyName: String
    public let keyFile: String
    public let namespace: String?
    private var process: Process?

    /// Writes the configuration and starts named; returns once it answers for the zone.
    /// `records` are zone file lines (`vip IN A 198.18.0.250`); `grants` are update-policy rules
    /// for the key (`name vip.example.test. A AAAA`).
    public init(
        zone: String = "example.test", records: [String], grants: [String], keyName: String = "floatip-test",
        address: String = "127.0.0.1", namespace: String? = nil
    ) throws {
        guard Self.installed else { throw CommandError(arguments: ["named"], status: 127, stderr: Self.missingReason) }
        directory = NSTemporaryDirectory() + "floatip-bind-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.address = address
        self.zone = zone
        self.keyName = keyName
        self.namespace = namespace
        keyFile = directory + "/tsig.key"
        port = namespace == nil ? try Loopback.freePorts(1, udp: true)[0] : 53
        do {
            try command([ExternalTool.path(of: "tsig-keygen") ?? "tsig-keygen", "-a", "hmac-sha256", keyName])
                .write(toFile: keyFile, atomically: true, encoding: .utf8)
            // A secret file: the DNS mover refuses one that others can read.
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
            let policy = grants.map { "grant \(keyName) \($0);" }.joined(separator: " ")
            try """
                options {
                    directory "\(directory)";
                    listen-on port \(port) { \(address); };
                    listen-on-v6 { none; };
                    pid-file "\(directory)/named.pid";
                    session-keyfile "\(directory)/session.key";
                    managed-keys-directory "\(directory)";
                    recursion no;
                    dnssec-validation no;
                    notify no;
                };
                controls { };
                include "\(keyFile)";
                zone "\(zone)" {
                    type primary;
                    file "\(directory)/zone.db";
                    update-policy { \(policy) };
                };
                """.write(toFile: directory + "/named.conf", atomically: true, encoding: .utf8)
            try """
                $TTL 300
                @ IN SOA ns.\(zone). hostmaster.\(zone). 1 3600 600 86400 60
                @ IN NS ns.\(zone).
                ns IN A 127.0.0.1
                \(records.joined(separator: "\n"))

                """.write(toFile: directory + "/zone.db", atomically: true, encoding: .utf8)
            try start()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// `ADDRESS:PORT` for a mover's `server` option.
    public var server: String { "\(address):\(port)" }

    /// What `dig` gets for `name`'s records of `type` (`+short`: one value a line), from outside floatip.
    /// `from`: the namespace to ask from (default: the server's own).
    public func dig(_ name: String, _ type: String = "A", from: String? = nil) throws -> [String] {
        var arguments = ["dig", "@\(address)", "-p", "\(port)", "+short", "+norecurse", "+time=2", "+tries=1", name, type]
        if let namespace = from ?? namespace { arguments = ["ip", "netns", "exec", namespace] + arguments }
        return try command(arguments).split(separator: "\n").map(String.init)
    }

    /// Ends named by its PID (SIGTERM, then SIGKILL after 3 s) and removes the directory.
    public func stop() {
        ServerProcess.end(process)
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The last lines named logged (for failure messages).
    public var logTail: String { ServerProcess.tail(directory + "/named.log") }

    private func start() throws {
        let named = [ExternalTool.path(of: "named") ?? "named", "-c", directory + "/named.conf", "-g", "-4"]
        let process = try ServerProcess.start(named, namespace: namespace, log: directory + "/named.log")
        self.process = process
        // Bounded wait until it answers for the zone: at most 10 s.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else {
                throw CommandError(arguments: named, status: process.terminationStatus, stderr: logTail)
            }
            if let answer = try? dig(zone, "SOA"), !answer.isEmpty { return }
            usleep(50_000)
        }
        throw CommandError(arguments: named, status: -1, stderr: "no answer within 10 s\n" + logTail)
    }

}
