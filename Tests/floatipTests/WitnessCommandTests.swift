import FloatIPCore
import Foundation
import Glibc
import Testing

/// `floatip witness` as a process on loopback: it answers an authentic probe, drops noise, stops on SIGTERM,
/// and refuses bad usage with exit 64.
@Suite(.serialized) struct WitnessCommandTests {
    /// `floatip witness ARGUMENTS`, its standard error in a pipe; end it with `end` (by PID).
    static func startWitness(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try CLITests.floatipBinary()
        process.arguments = ["witness"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    static func end(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    @Test func badUsageExits64WithTheReason() throws {
        let none = try CLITests.run(["witness"], limit: .seconds(20))
        #expect(none.status == 64)
        #expect(none.stderr.contains("give --config FILE, or both --cluster NAME and --secret-file FILE"), "\(none.stderr)")
        let listen = try CLITests.run(
            ["witness", "--listen", "198.18.0.9:x", "--cluster", "lab", "--secret-file", "/tmp/x"], limit: .seconds(20))
        #expect(listen.status == 64)
        #expect(listen.stderr.contains("--listen `198.18.0.9:x` is not an address with an optional port"), "\(listen.stderr)")
        let missing = try CLITests.run(
            ["witness", "--listen", "127.0.0.1:7455", "--cluster", "lab", "--secret-file", "/nonexistent/secret"],
            limit: .seconds(20))
        #expect(missing.status == 1)
        #expect(missing.stderr == "secret_file /nonexistent/secret: cannot read it (missing or no permission)\n")
    }

    @Test func answersAnAuthenticProbeAndStopsOnSIGTERM() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-witness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secretFile = directory.appendingPathComponent("secret")
        try Data("witness cli secret 0123456789\n".utf8).write(to: secretFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)
        let port = try #require(Loopback.freePort())
        let (process, errors) = try Self.startWitness(
            ["--listen", "127.0.0.1:\(port)", "--cluster", "lab", "--secret-file", secretFile.path])
        defer { Self.end(process) }
        let socket = try UDPClient(timeout: .milliseconds(100))
        let codec = WitnessCodec(secret: Array("witness cli secret 0123456789".utf8), cluster: "lab")
        let probe = WitnessMessage(kind: .probe, nonce: (0..<16).map { _ in UInt8.random(in: 0...255) }, cluster: "lab", node: "web1")
        // The witness may still be starting: ask at most 50 times, 100 ms apart.
        var answer: [UInt8]?
        for _ in 0..<50 where answer == nil {
            socket.send(try codec.encode(probe), port: port)
            answer = socket.receive()
        }
        let reply = try #require(answer, "no answer from floatip witness")
        #expect(throws: Never.self) { try codec.acceptAnswer(reply, to: probe) }
        socket.send(Array("not a witness datagram".utf8), port: port)
        #expect(socket.receive() == nil, "noise gets no answer")
        kill(process.processIdentifier, SIGTERM)
        let status = try await offPool {
            process.waitUntilExit()
            return process.terminationStatus
        }
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(status == 0, "\(log)")
        #expect(log.contains("witness for cluster lab listening on 127.0.0.1:\(port) (UDP)"), "\(log)")
        #expect(log.contains("first probe from node web1 (127.0.0.1:"), "\(log)")
        #expect(log.contains("dropped a datagram from 127.0.0.1:"), "\(log)")
        #expect(log.contains(": too_short (first of its kind"), "\(log)")
        #expect(log.contains("SIGTERM: stopping"), "\(log)")
    }

    /// `floatip checks` runs tracking as the agent does: here against a witness that took the cluster and
    /// secret from the same config (`--config`); then with the witness gone, tracking fails and the exit is 1.
    @Test func floatipChecksRunsTrackingAgainstAWitness() async throws {
        let directory = try ChecksCommandTests.workspace(checks: "  - { name: maint, kind: file, target: /nonexistent/m, expect: absent }")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try #require(Loopback.freePort())
        let config = directory.appendingPathComponent("web.yaml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try (text + "track: { targets: [\"witness 127.0.0.1:\(port)\"], interval: 200ms, timeout: 90ms, fall: 1 }\n")
            .write(to: config, atomically: true, encoding: .utf8)
        let (witness, _) = try Self.startWitness(["--listen", "127.0.0.1:\(port)", "--config", config.path])
        defer { Self.end(witness) }
        // The witness may still be starting: at most 20 runs.
        var run = try CLITests.run(["checks", "--config", "web.yaml"], in: directory)
        for _ in 0..<20 where run.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            run = try CLITests.run(["checks", "--config", "web.yaml"], in: directory)
        }
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let row = run.stdout.split(separator: "\n").first { $0.hasPrefix("track ") }.map(String.init) ?? ""
        #expect(row.contains("pass") && row.contains("witness 127.0.0.1:\(port) answered in "), "\(run.stdout)")
        kill(witness.processIdentifier, SIGTERM)
        witness.waitUntilExit()
        let gone = try CLITests.run(["checks", "--config", "web.yaml"], in: directory)
        #expect(gone.status == 1, "\(gone.stdout)")
        #expect(gone.stdout.contains("no answer from witness 127.0.0.1:\(port) within 90 ms"), "\(gone.stdout)")
    }
}

/// A blocking UDP socket on 127.0.0.1 with a receive timeout.
final class UDPClient {
    let fd: Int32

    init(timeout: Duration) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var limit = timeval(tv_sec: 0, tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8], port: Int) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// One datagram, or nil after the timeout.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer.prefix(count)) : nil
    }
}
