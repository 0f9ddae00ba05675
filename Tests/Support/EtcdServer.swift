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
        let answer = namespace.map { Self.post("/v3/maintenance/status", body: "{}", to: address, port: clientPort, in: $0) }
            ?? Self.post("/v3/maintenance/status", body: "{}", port: clientPort)
        guard let start = answer.range(of: "\r\n\r\n"),
            let object = try? JSONSerialization.jsonObject(with: Data(answer[start.upperBound...].utf8)) as? [String: Any],
            let header = object["header"] as? [String: Any], let member = (header["member_id"] as? String).flatMap(UInt64.init),
            let leader = (object["leader"] as? String).flatMap(UInt64.init)
        else { return nil }
        return (member, leader)
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
                let answer = Self.post("/v3/maintenance/status", body: "{}", port: clientPort)
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

    /// One HTTP/1.1 POST to 127.0.0.1:`port` (blocking, at most 1 s): the raw answer, or "" on failure.
    static func post(_ path: String, body: String, port: UInt16) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return "" }
        let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            return ""
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while answer.count < 65_536 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// One HTTP/1.1 POST to `address`:`port` from inside `namespace` (bash's /dev/tcp, at most 2 s):
    /// the raw answer, or "" on failure.
    static func post(_ path: String, body: String, to address: String, port: UInt16, in namespace: String) -> String {
        let request = "POST \(path) HTTP/1.1\r\nHost: \(address)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let script = "exec 3<>/dev/tcp/\(address)/\(port) && printf '%s' \"$1\" >&3 && cat <&3"
        return (try? command(["ip", "netns", "exec", namespace, "timeout", "2", "bash", "-c", script, "post", request])) ?? ""
    }

}
