import FloatIPCore
import Foundation
import Testing

@testable import FloatIPChecks

/// The `http` check against a real HTTP server on loopback (and a real HTTPS one, `openssl s_server`).
@Suite(.serialized)
struct HTTPProbeTests {
    private func probe(_ url: String, _ options: HTTPCheckOptions = HTTPCheckOptions(), timeout: Duration = .seconds(2))
        throws -> HTTPProbe
    {
        let check = CheckConfig(
            name: "web", kind: .http, target: url, interval: .seconds(5), timeout: timeout, options: .http(options))
        return try HTTPProbe(check: check, options: options)
    }

    /// Runs one check against the test responder and shuts everything down.
    private func runOnce(
        _ path: String, _ options: HTTPCheckOptions = HTTPCheckOptions(), timeout: Duration = .seconds(2)
    ) async throws -> (result: CheckResult, url: String) {
        let server = try await ScriptedTCPServer.start(reply: HTTPTestResponder.reply)
        let url = "http://127.0.0.1:\(server.port)\(path)"
        let http = try probe(url, options, timeout: timeout)
        let result = await http.run()
        await http.shutdown()
        await server.close()
        return (result, url)
    }

    @Test func a200Passes() async throws {
        let (result, url) = try await runOnce("/health")
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail == "HTTP 200 from \(url)")
    }

    @Test func a503Fails() async throws {
        let (result, url) = try await runOnce("/down")
        #expect(!result.passed)
        #expect(result.detail == "HTTP 503 from \(url)")
    }

    @Test func theExpectedStatusSetDecides() async throws {
        let (result, _) = try await runOnce("/down", HTTPCheckOptions(expectStatus: [200...204, 503...503]))
        #expect(result.passed, "\(result.detail)")
        let (notFound, _) = try await runOnce("/nothing-here", HTTPCheckOptions(expectStatus: [200...204, 503...503]))
        #expect(!notFound.passed)
        #expect(notFound.detail.hasPrefix("HTTP 404 from"))
    }

    @Test func headAsksForTheHeadOnly() async throws {
        let (result, _) = try await runOnce("/health", HTTPCheckOptions(method: .head))
        #expect(result.passed, "\(result.detail)")
    }

    @Test func redirectsAreNotFollowed() async throws {
        let (result, _) = try await runOnce("/moved")
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail.hasPrefix("HTTP 302 from"))
    }

    @Test func theBodyMustContainTheText() async throws {
        let (result, _) = try await runOnce("/health", HTTPCheckOptions(bodyContains: "ok"))
        #expect(result.passed, "\(result.detail)")
        let (missing, url) = try await runOnce("/health", HTTPCheckOptions(bodyContains: "green"))
        #expect(!missing.passed)
        #expect(missing.detail == "HTTP 200 from \(url): body does not contain \"green\"")
    }

    @Test func theBodyMustMatchTheRegex() async throws {
        let (result, _) = try await runOnce("/version", HTTPCheckOptions(bodyRegex: #"version \d+\.\d+\.\d+"#))
        #expect(result.passed, "\(result.detail)")
        let (missing, _) = try await runOnce("/version", HTTPCheckOptions(bodyRegex: #"^status: red"#))
        #expect(!missing.passed)
        #expect(missing.detail.hasSuffix("body does not match /^status: red/"))
    }

    @Test func theBodyIsReadOnlyUpToItsLimit() async throws {
        // `needle` stands after 2 MiB; only the first 1 MiB is read.
        let (result, _) = try await runOnce("/big", HTTPCheckOptions(bodyContains: "needle"))
        #expect(!result.passed)
        #expect(result.detail.hasSuffix("body does not contain \"needle\""))
    }

    @Test func aServerThatNeverAnswersIsCutOffAtTheTimeout() async throws {
        let (result, url) = try await runOnce("/hang", timeout: .milliseconds(500))
        #expect(!result.passed)
        #expect(result.detail == "no answer within 500 ms from \(url)")
        #expect(result.duration >= .milliseconds(500))
        #expect(result.duration < .milliseconds(1500), "took \(result.duration)")
    }

    @Test func aBodyThatStallsIsCutOffAtTheTimeout() async throws {
        let (result, url) = try await runOnce(
            "/stall", HTTPCheckOptions(bodyContains: "ok"), timeout: .milliseconds(500))
        #expect(!result.passed)
        #expect(result.detail == "no answer within 500 ms from \(url)")
        #expect(result.duration < .milliseconds(1500), "took \(result.duration)")
    }

    @Test func aClosedPortIsRefused() async throws {
        let port = try await ScriptedTCPServer.closedPort()
        let url = "http://127.0.0.1:\(port)/health"
        let http = try probe(url)
        let result = await http.run()
        await http.shutdown()
        #expect(!result.passed)
        #expect(result.detail.contains("connection refused"), "\(result.detail)")
    }

    @Test func aProbeRunsAgainAndAgainOnFreshConnections() async throws {
        let server = try await ScriptedTCPServer.start(reply: HTTPTestResponder.reply)
        let http = try probe("http://127.0.0.1:\(server.port)/health", HTTPCheckOptions(bodyContains: "ok"))
        for _ in 0..<20 {
            let result = await http.run()
            #expect(result.passed, "\(result.detail)")
        }
        await http.shutdown()
        await http.shutdown()  // a second shutdown does nothing
        await server.close()
    }

    @Test func aProbeDroppedWithoutShutdownDoesNotTrap() async throws {
        // AsyncHTTPClient traps (in debug builds) when a client is freed before it is shut down; the
        // probe's deinit starts the shutdown and the client keeps itself alive until it is done.
        let server = try await ScriptedTCPServer.start(reply: HTTPTestResponder.reply)
        do {
            let http = try probe("http://127.0.0.1:\(server.port)/health")
            #expect(await http.run().passed)
        }
        try await Task.sleep(for: .milliseconds(200))
        await server.close()
    }

    @Test func httpsWithAndWithoutCertificateVerification() async throws {
        guard let server = try await OpenSSLTestServer.start() else { return }
        defer { server.stop() }
        let url = "https://127.0.0.1:\(server.port)/"
        let unverified = try probe(url, HTTPCheckOptions(tlsVerify: false), timeout: .seconds(5))
        let passing = await unverified.run()
        await unverified.shutdown()
        #expect(passing.passed, "\(passing.detail)")

        let verified = try probe(url, HTTPCheckOptions(tlsVerify: true), timeout: .seconds(5))
        let failing = await verified.run()
        await verified.shutdown()
        #expect(!failing.passed)
        #expect(failing.detail == "TLS handshake with \(url) failed: certificate not trusted (tls_verify is on)")
    }

    @Test(arguments: ["127.0.0.1/health", "ftp://127.0.0.1/x", "http://", "not a url"])
    func badURLsAreRefusedWhenTheProbeIsMade(url: String) {
        #expect(throws: HTTPProbe.ConfigError.self) { try probe(url) }
    }

    @Test func aRegexThatDoesNotCompileIsRefused() {
        #expect(throws: HTTPProbe.ConfigError.self) { try probe("http://127.0.0.1/", HTTPCheckOptions(bodyRegex: "(")) }
    }
}
