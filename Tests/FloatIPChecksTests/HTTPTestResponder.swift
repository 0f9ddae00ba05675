import FloatIPTestSupport
import Foundation
import Testing

/// A tiny HTTP/1.1 responder for the tests, served by `ScriptedTCPServer` (raw bytes, no HTTP library):
///
/// | path | answer |
/// |---|---|
/// | `/health` | 200, `ok` |
/// | `/down` | 503, `down` |
/// | `/version` | 200, `status: green, version 1.2.3` |
/// | `/moved` | 302 to `/down` |
/// | `/big` | 200, 2 MiB of `x` and then `needle` |
/// | `/hang` | accepts the request and never answers |
/// | `/stall` | sends the head and part of the body, then nothing |
enum HTTPTestResponder {
    static func reply(_ received: [UInt8]) -> ScriptedReply {
        let request = String(decoding: received, as: UTF8.self)
        guard request.contains("\r\n\r\n") else { return .wait }
        let requestLine = (request.components(separatedBy: "\r\n").first ?? "").split(separator: " ")
        guard requestLine.count == 3 else { return .send(response(400, body: "bad request"), close: true) }
        let head = requestLine[0] == "HEAD"
        switch requestLine[1] {
        case "/health": return .send(response(200, body: "ok\n", head: head), close: true)
        case "/down": return .send(response(503, body: "down\n", head: head), close: true)
        case "/version": return .send(response(200, body: "status: green, version 1.2.3\n", head: head), close: true)
        case "/moved": return .send(response(302, body: "", extra: "Location: /down\r\n", head: head), close: true)
        case "/big":
            return .send(
                response(200, body: String(repeating: "x", count: 2 << 20) + "needle", head: head), close: true)
        case "/hang": return .hang
        case "/stall":
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\npart of"
            return .send(Array(head.utf8), close: false)
        default: return .send(response(404, body: "not found\n", head: head), close: true)
        }
    }

    private static func response(_ status: Int, body: String, extra: String = "", head: Bool = false) -> [UInt8] {
        let reason = [200: "OK", 302: "Found", 400: "Bad Request", 404: "Not Found", 503: "Service Unavailable"]
        let text =
            "HTTP/1.1 \(status) \(reason[status] ?? "Status")\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Content-Type: text/plain\r\nConnection: close\r\n\(extra)\r\n"
        return Array(text.utf8) + (head ? [] : Array(body.utf8))
    }
}

/// A real HTTPS server: `openssl s_server -www` with a self-signed certificate made for the test.
/// nil when the `openssl` command is not there.
final class OpenSSLTestServer {
    let port: Int
    private let process: Process
    private let directory: URL

    private init(port: Int, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    static func start() async throws -> OpenSSLTestServer? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "floatip-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path
        let cert = directory.appendingPathComponent("cert.pem").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        make.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", cert, "-days", "1", "-subj", "/CN=localhost",
        ]
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        guard make.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: directory)
            return nil
        }
        let port = try await ScriptedTCPServer.closedPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        server.standardInput = FileHandle.nullDevice
        try server.run()
        let started = OpenSSLTestServer(port: port, process: server, directory: directory)
        // Ready when it accepts a connection (at most 5 s).
        for _ in 0..<100 {
            if Loopback.acceptsConnections(port: port) { return started }
            try await Task.sleep(for: .milliseconds(50))
        }
        started.stop()
        Issue.record("openssl s_server did not start listening on \(port)")
        return nil
    }

    func stop() {
        // SIGKILL: Foundation's Process passes on the spawning thread's signal mask, and the test
        // runner's threads block SIGTERM, so s_server would never see a terminate().
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
