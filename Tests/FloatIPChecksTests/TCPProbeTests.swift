import FloatIPCore
import Foundation
import Testing

@testable import FloatIPChecks

/// The `tcp` check against real listeners on loopback.
@Suite(.serialized)
struct TCPProbeTests {
    private func probe(_ target: String, send: String? = nil, expect: String? = nil, timeout: Duration = .seconds(2))
        throws -> TCPProbe
    {
        let check = CheckConfig(
            name: "tcp", kind: .tcp, target: target, interval: .seconds(5), timeout: timeout,
            options: .tcp(TCPCheckOptions(send: send, expect: expect)))
        return try TCPProbe(check: check, options: TCPCheckOptions(send: send, expect: expect))
    }

    @Test func connectsToAListener() async throws {
        let server = try await ScriptedTCPServer.start { _ in .hang }
        let result = try await probe(server.hostPort).run()
        await server.close()
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail == "connected to \(server.hostPort)")
    }

    @Test func readsTheBannerItExpects() async throws {
        let server = try await ScriptedTCPServer.start(banner: Array("SSH-2.0-floatip-test\r\n".utf8)) { _ in .hang }
        let result = try await probe(server.hostPort, expect: "SSH-2.0").run()
        await server.close()
        #expect(result.passed, "\(result.detail)")
    }

    @Test func sendsAndReadsTheAnswer() async throws {
        let server = try await ScriptedTCPServer.start { received in
            String(decoding: received, as: UTF8.self).hasSuffix("PING\r\n")
                ? .send(Array("+PONG\r\n".utf8), close: false) : .wait
        }
        let result = try await probe(server.hostPort, send: "PING\r\n", expect: "PONG").run()
        await server.close()
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail.contains("answered \"PONG\""))
    }

    @Test func anUnexpectedAnswerFailsWithItsFirstBytes() async throws {
        let server = try await ScriptedTCPServer.start { _ in .send(Array("-ERR wrong\r\n\u{1}".utf8), close: true) }
        let result = try await probe(server.hostPort, send: "PING\r\n", expect: "PONG").run()
        await server.close()
        #expect(!result.passed)
        #expect(
            result.detail == "\(server.hostPort) closed the connection without \"PONG\" (got \"-ERR wrong\\r\\n\\x01\")"
        )
    }

    @Test func aSilentServerIsCutOffAtTheTimeout() async throws {
        let server = try await ScriptedTCPServer.start { _ in .hang }
        let result = try await probe(server.hostPort, send: "PING\r\n", expect: "PONG", timeout: .milliseconds(300))
            .run()
        await server.close()
        #expect(!result.passed)
        #expect(result.detail == "no \"PONG\" from \(server.hostPort) within 300 ms (got nothing)")
        #expect(result.duration >= .milliseconds(300))
        #expect(result.duration < .milliseconds(1300), "took \(result.duration)")
    }

    @Test func aClosedPortIsRefused() async throws {
        let port = try await ScriptedTCPServer.closedPort()
        let result = try await probe("127.0.0.1:\(port)").run()
        #expect(!result.passed)
        #expect(result.detail == "connection refused by 127.0.0.1:\(port)")
    }

    @Test func ipv6InBrackets() async throws {
        // Loopback ::1 may be missing where IPv6 is off; then there is nothing to test.
        guard let server = try? await ScriptedTCPServer.start(host: "::1", reply: { _ in .hang }) else { return }
        let result = try await probe("[::1]:\(server.port)").run()
        await server.close()
        #expect(result.passed, "\(result.detail)")
    }

    @Test func aHostnameIsResolved() async throws {
        let server = try await ScriptedTCPServer.start { _ in .hang }
        let result = try await probe("localhost:\(server.port)").run()
        await server.close()
        #expect(result.passed, "\(result.detail)")
    }

    @Test func aProbeRunsAgainAndAgain() async throws {
        let server = try await ScriptedTCPServer.start(banner: Array("hello\n".utf8)) { _ in .hang }
        let tcp = try probe(server.hostPort, expect: "hello")
        for _ in 0..<20 {
            let result = await tcp.run()
            #expect(result.passed, "\(result.detail)")
        }
        await server.close()
    }

    @Test(arguments: ["nohost", "::1:80", "[::1]80", "[::1:80", "host:99999", "host:", ":80", "host:http"])
    func badTargetsAreRefusedWhenTheProbeIsMade(target: String) {
        #expect(throws: HostPort.ParseError.self) { try probe(target) }
    }
}
