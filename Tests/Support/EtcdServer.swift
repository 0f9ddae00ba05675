import FloatIPLab
import Foundation

/// A real single-member etcd for tests: a temporary data directory, free ports on 127.0.0.1 (or
/// 2379/2380 on `address` inside a network namespace), started in the foreground and ended by its
/// PID (SIGTERM, then SIGKILL) with the directory removed in `stop()` / deinit.
public final class EtcdServer: @unchecked Sendable {
    /// Whether the tests can run: etcd is installed. In CI (CI=true) they run anyway and fail with
    /// `missingReason`, so a broken CI image is noticed.
    public static let runnable: Bool = installed || ProcessInfo.processInfo.environment["CI"] == "true"
    public static let installed: Bool = ExternalTool.path(of: "etcd") != nil
    public static let missingReason = "needs etcd (apt-get install etcd-server)"

    public let directory: String
    public let address: String
    public let clientPort: UInt16
    public let peerPort: UInt16
    public let namespace: String?
    /// With TLS: clients connect with https, and must show a certificate the test CA signed.
    public let certificates: TestCertificates?
    private var process: Process?

    /// `http://ADDRESS:PORT` (`https://` with TLS).
    public var endpoint: String { "\(certificates == nil ? "http" : "https")://\(address):\(clientPort)" }

    /// Starts etcd and returns once it serves clients (at most 15 s): on 127.0.0.1 once
    /// `/v3/maintenance/status` answers 200; in a namespace once etcd logs that it serves
    /// `address` (the test process cannot connect into the namespace).
    ///
    /// With `certificates`, etcd serves its clients over TLS with the test server certificate and
    /// requires a client certificate signed by the test CA (`--client-cert-auth`), on 127.0.0.1.
    public convenience init(
        address: String = "127.0.0.1", namespace: String? = nil, certificates: TestCertificates? = nil
    ) throws {
        let ports = namespace == nil ? try Loopback.freePorts(2) : [2379, 2380]
        try self.init(
            name: "default", address: address, clientPort: ports[0], peerPort: ports[1], namespace: namespace,
            initialCluster: "default=http://\(address):\(ports[1])", certificates: certificates)
        do {
            try waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    /// Starts one member named `name` of the cluster `initialCluster` (`name=peerURL,…`); does not wait.
    init(
        name: String, address: String, clientPort: UInt16, peerPort: UInt16, namespace: String?,
        initialCluster: String, certificates: TestCertificates? = nil
    ) throws {
        self.certificates = certificates
        guard let etcd = ExternalTool.path(of: "etcd") else {
            throw CommandError(arguments: ["etcd"], status: 127, stderr: Self.missingReason)
        }
        directory = NSTemporaryDirectory() + "floatip-etcd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.address = address
        self.namespace = namespace
        self.clientPort = clientPort
        self.peerPort = peerPort
        do {
            try start(etcd, name: name, initialCluster: initialCluster)
        } catch {
            stop()
            throw error
        }
    }

    /// A cluster of `count` members on 127.0.0.1, each on free ports; or, with `namespace`, one member
    /// on each of `addresses` (ports 2379/2380) inside that network namespace. Returns once every
    /// member answers and names the same leader (at most 15 s). Stop each member (or `stop()` them all).
    public static func cluster(_ count: Int, addresses: [String] = [], namespace: String? = nil) throws -> [EtcdServer] {
        precondition(namespace == nil || addresses.count == count, "one address per member in a namespace")
        let ports = namespace == nil ? try Loopback.freePorts(count * 2) : Array(repeating: [2379, 2380], count: count).flatMap { $0 }
        let hosts = namespace == nil ? Array(repeating: "127.0.0.1", count: count) : addresses
        let names = (1...count).map { "m\($0)" }
        let initial = names.enumerated().map { "\($1)=http://\(hosts[$0]):\(ports[$0 * 2 + 1])" }.joined(separator: ",")
        var members: [EtcdServer] = []
        do {
            for (index, name) in names.enumerated() {
                members.append(try EtcdServer(
                    name: name, address: hosts[index], clientPort: ports[index * 2], peerPort: ports[index * 2 + 1],
                    namespace: namespace, initialCluster: initial))
            }
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                let leaders = members.map { $0.status()?.leader }
                if let first = leaders.first, let leader = first, leader != 0, leaders.allSatisfy({ $0 == leader }) {
                    return members
                }
                usleep(100_000)
            }
            throw CommandError(arguments: ["etcd"], status: -1, stderr: "no common leader within 15 s\n"
                + members.map(\.logTail).joined(separator: "\n---\n"))
        } catch {
            members.forEach { $0.stop() }
            throw error
        }
    }

    /// The member of `members` that leads now (by `status()`), if they agree on one.
    public static func leader(of members: [EtcdServer]) -> EtcdServer? {
        let statuses = members.map { $0.status() }
        guard let leader = statuses.compactMap({ $0?.leader }).first, leader != 0 else { return nil }
        return zip(members, statuses).first { $0.1?.member == leader }?.0
    }

    /// This member's id and the leader's id, from `/v3/maintenance/status` (a member in a namespace
    /// is asked from inside it).
    public func status() -> (member: UInt64, leader: UInt64)? {
        EtcdStatus.status(of: address, port: clientPort, namespace: namespace)
    }

    /// Kills this member at once (SIGKILL by PID), as a crash would; the directory stays until `stop()`.
    public func crash() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    private func start(_ etcd: String, name: String, initialCluster: String) throws {
        let client = endpoint
        let peer = "http://\(address):\(peerPort)"
        var arguments = [
            etcd, "--data-dir", directory + "/data", "--name", name,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initialCluster,
        ]
        if let certificates {
            arguments += [
                "--cert-file", certificates.serverCertFile, "--key-file", certificates.serverKeyFile,
                "--trusted-ca-file", certificates.caFile, "--client-cert-auth",
            ]
        }
        process = try ServerProcess.start(arguments, namespace: namespace, log: directory + "/etcd.log")
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(15)
        var last = "no answer yet"
        while Date() < deadline {
            guard let process, process.isRunning else {
                throw CommandError(arguments: ["etcd"], status: process?.terminationStatus ?? -1, stderr: logTail)
            }
            if certificates != nil {
                // The raw probe below speaks plain HTTP: with TLS, etcd's log says when it serves.
                let log = (try? String(contentsOfFile: directory + "/etcd.log", encoding: .utf8)) ?? ""
                if log.contains("serving client traffic securely") || log.contains("serving client requests on \(address):\(clientPort)") {
                    return
                }
            } else if namespace != nil {
                let log = (try? String(contentsOfFile: directory + "/etcd.log", encoding: .utf8)) ?? ""
                if log.contains("serving insecure client requests on \(address):\(clientPort)") { return }
            } else {
                let answer = EtcdStatus.post("/v3/maintenance/status", to: address, port: clientPort, namespace: nil) ?? ""
                if answer.hasPrefix("HTTP/1.1 200"), answer.contains("\"version\"") { return }
                last = answer.isEmpty ? "no answer" : String(answer.prefix(120))
            }
            usleep(50_000)
        }
        throw CommandError(arguments: ["etcd"], status: -1, stderr: "not ready within 15 s (\(last))\n" + logTail)
    }

    /// Freezes etcd (SIGSTOP): it keeps its sockets but answers nothing, like a member cut off.
    public func pause() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGSTOP) }
    }

    /// Lets a paused etcd run again (SIGCONT).
    public func resume() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGCONT) }
    }

    /// Ends etcd by its PID (SIGTERM, SIGKILL after 3 s) and removes the directory. Idempotent.
    public func stop() {
        ServerProcess.end(process)
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The last lines etcd logged (for failure messages).
    public var logTail: String { ServerProcess.tail(directory + "/etcd.log") }
}
