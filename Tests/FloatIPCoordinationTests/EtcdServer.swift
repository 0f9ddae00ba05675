@testable import FloatIPCoordination
import FloatIPTestSupport
import Foundation
import Testing

extension Comment {
    static let etcd = Comment(rawValue: EtcdServer.missingReason)
}

/// A real single-member etcd for tests: a temporary data directory, free ports on 127.0.0.1, started
/// in the foreground and ended by its PID (SIGTERM, then SIGKILL) with the directory removed in `stop()`.
final class EtcdServer: @unchecked Sendable {
    /// Whether the tests can run: etcd is installed. In CI (CI=true) they run anyway and fail with
    /// `missingReason`, so a broken CI image is noticed.
    static let runnable: Bool = installed || ProcessInfo.processInfo.environment["CI"] == "true"
    static let installed: Bool = executable("etcd") != nil
    static let missingReason = "needs etcd (apt-get install etcd-server)"

    let directory: String
    let clientPort: UInt16
    let peerPort: UInt16
    private var process: Process?

    /// `http://127.0.0.1:PORT`.
    var endpoint: String { "http://127.0.0.1:\(clientPort)" }

    /// Starts etcd and returns once `maintenance/status` answers (at most 15 s).
    static func start() async throws -> EtcdServer {
        let server = try EtcdServer()
        do {
            try await server.waitUntilReady()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private init() throws {
        guard let etcd = Self.executable("etcd") else {
            throw CommandError(arguments: ["etcd"], status: 127, stderr: Self.missingReason)
        }
        directory = NSTemporaryDirectory() + "floatip-etcd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try Self.freePorts(2)
        clientPort = ports[0]
        peerPort = ports[1]
        let client = "http://127.0.0.1:\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: etcd)
        process.arguments = [
            "--data-dir", directory + "/data", "--name", "default",
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "default=\(peer)",
        ]
        _ = FileManager.default.createFile(atPath: directory + "/etcd.log", contents: nil)
        let log = FileHandle(forWritingAtPath: directory + "/etcd.log")
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        self.process = process
    }

    deinit { stop() }

    private func waitUntilReady() async throws {
        let client = try EtcdClient(settings: EtcdClientSettings(endpoints: [endpoint], requestTimeout: .seconds(1)))
        defer { Task { await client.shutdown() } }
        let deadline = ContinuousClock.now + .seconds(15)
        var lastError = ""
        while ContinuousClock.now < deadline {
            guard let process, process.isRunning else {
                throw CommandError(arguments: ["etcd"], status: process?.terminationStatus ?? -1, stderr: logTail)
            }
            do {
                _ = try await client.status()
                return
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandError(
            arguments: ["etcd"], status: -1, stderr: "no answer within 15 s (last: \(lastError))\n" + logTail)
    }

    /// Freezes etcd (SIGSTOP): it keeps its sockets but answers nothing, like a member cut off.
    func pause() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGSTOP) }
    }

    /// Lets a paused etcd run again (SIGCONT).
    func resume() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGCONT) }
    }

    /// Ends etcd by its PID (SIGTERM, SIGKILL after 3 s) and removes the directory. Idempotent.
    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        process = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The last lines etcd logged (for failure messages).
    var logTail: String {
        let log = (try? String(contentsOfFile: directory + "/etcd.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// `count` distinct TCP ports free on 127.0.0.1 (the kernel picks them; held open together so
    /// they differ).
    static func freePorts(_ count: Int) throws -> [UInt16] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [UInt16] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { throw CommandError(arguments: ["bind"], status: -1, stderr: "no free port for etcd") }
            ports.append(UInt16(bigEndian: address.sin_port))
        }
        return ports
    }

    static func executable(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/usr/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
