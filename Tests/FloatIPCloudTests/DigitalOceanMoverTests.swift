import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `digitalocean` mover against `DigitalOceanFake` on 127.0.0.1.
@Suite("DigitalOcean mover")
struct DigitalOceanMoverTests {
    static let ip = "203.0.113.7"

    /// A fake with the reserved IP on droplet `holder`, droplets 1 (this server) and 2, and a mover for droplet 1.
    func setUp(holder: Int?, options extra: [String: String] = [:], lines: ReportedLines = ReportedLines()) async throws
        -> (FakeProviderServer, DigitalOceanFake, any Mover & MoverTelemetrySource, GroupConfig)
    {
        let fake = DigitalOceanFake(ips: [Self.ip: holder], droplets: [1, 2])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        var options = [
            "ip": Self.ip, "droplet_id": "1", "token_env": testTokenVariable, "endpoint": server.baseURL,
            "poll_interval": "20ms", "claim_timeout": "5s", "request_timeout": "2s",
        ]
        options.merge(extra) { $1 }
        let (mover, group) = try makeMover(
            DigitalOceanProvider.self, options, environment: [testTokenVariable: DigitalOceanFake.token], lines: lines)
        return (server, fake, mover, group)
    }

    @Test("claim assigns the reserved IP, polls the action to completion, and logs the previous holder")
    func claimMoves() async throws {
        let lines = ReportedLines()
        let (server, fake, mover, group) = try await setUp(holder: 2, lines: lines)
        #expect(try await mover.holder(of: group) == .other("2"))
        try await mover.claim(group, epoch: 3)
        #expect(fake.assignment(Self.ip) == 1)
        #expect(server.count("POST", "/actions") == 1)
        #expect(server.count("GET", "/actions/") == 2)
        #expect(try await mover.holder(of: group) == .this)
        #expect(lines.all.contains { $0.contains("routes \(Self.ip) to 2") && $0.contains("term 3") })
        let telemetry = mover.telemetry()
        #expect(telemetry.providerHolder == "1" && telemetry.providerHoldsHere == true)
        #expect(telemetry.lastCall == "GET /v2/reserved_ips/\(Self.ip)")
        #expect(telemetry.answer == "HTTP 200")
        #expect(telemetry.lastError == nil)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("claim of an IP already assigned here succeeds without an assign call; announce re-asserts a moved one")
    func claimIdempotent() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 1)
        try await mover.claim(group, epoch: 1)
        try await mover.claim(group, epoch: 2)
        try await mover.announce(group)
        #expect(server.count("POST", "/actions") == 0)
        #expect(fake.assignment(Self.ip) == 1)
        // A rival moved it (a healed partition): announce claims it back.
        fake.state.withLock { $0.ips[Self.ip] = .some(2) }
        try await mover.announce(group)
        #expect(fake.assignment(Self.ip) == 1)
        #expect(server.count("POST", "/actions") == 1)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("release unassigns only while the IP is assigned here")
    func release() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 2)
        try await mover.release(group, epoch: 1)
        #expect(server.count("POST", "/actions") == 0)
        #expect(fake.assignment(Self.ip) == 2)
        try await mover.claim(group, epoch: 2)
        try await mover.release(group, epoch: 2)
        #expect(fake.assignment(Self.ip) == nil)
        #expect(try await mover.holder(of: group) == .none)
        let unassign = server.requests.filter { $0.method == "POST" }.last?.json
        #expect(unassign?["type"] as? String == "unassign")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a 429 with Retry-After is retried after at least that long")
    func retryAfter() async throws {
        let (server, fake, mover, group) = try await setUp(holder: nil)
        server.inject(FakeFault(method: "POST", response: .json(
            429, ["id": "too_many_requests", "message": "API Rate limit exceeded."], headers: [("Retry-After", "1")])))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        #expect(seconds(since: start) >= 1.0)
        #expect(server.count("POST", "/actions") == 2)
        #expect(fake.assignment(Self.ip) == 1)
        #expect(mover.telemetry().retries == 1)
        await server.stop()
    }

    @Test("a 500 is retried and the claim then succeeds")
    func serverErrorThenSuccess() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 2)
        server.inject(FakeFault(method: "GET", response: .json(500, ["id": "server_error", "message": "Server Error"])))
        try await mover.claim(group, epoch: 1)
        #expect(fake.assignment(Self.ip) == 1)
        #expect(server.count("GET", "/reserved_ips/\(Self.ip)") >= 2)
        await server.stop()
    }

    @Test("a Retry-After beyond claim_timeout fails at once with a deadline error")
    func deadline() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 2, options: ["claim_timeout": "1s"])
        server.inject(FakeFault(method: "POST", response: .json(
            429, ["id": "too_many_requests", "message": "API Rate limit exceeded."], headers: [("Retry-After", "30")])))
        let start = ContinuousClock.now
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(seconds(since: start) < 2)
        #expect(error?.kind == .deadline)
        #expect(error?.status == 429)
        #expect(error?.message.contains("API Rate limit exceeded.") == true)
        #expect(error?.message.contains("asked to wait 30 s") == true)
        #expect(fake.assignment(Self.ip) == 2)
        #expect(mover.telemetry().lastError?.contains("API Rate limit exceeded.") == true)
        await server.stop()
    }

    @Test("a slow provider hits request_timeout, and the claim ends by claim_timeout")
    func slowProvider() async throws {
        let (server, _, mover, group) = try await setUp(
            holder: 2, options: ["request_timeout": "200ms", "claim_timeout": "1s"])
        for _ in 0..<10 {
            server.inject(FakeFault(method: "GET", response: FakeResponse(status: 200, delay: .seconds(3))))
        }
        let start = ContinuousClock.now
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(seconds(since: start) < 2)
        #expect(error?.kind == .transport || error?.kind == .deadline)
        #expect(error?.message.contains("no answer within") == true)
        await server.stop()
    }

    @Test("malformed JSON is a clear error, not a crash")
    func malformed() async throws {
        let (server, _, mover, group) = try await setUp(holder: 2)
        server.inject(FakeFault(method: "GET", response: .raw(200, #"{"reserved_ip": {"ip": "203.0.113.7", "drop"#)))
        let error = await providerError { _ = try await mover.holder(of: group) }
        #expect(error?.kind == .malformed)
        #expect(error?.message.contains("not JSON") == true)
        server.inject(FakeFault(method: "GET", response: .json(200, ["reserved_ip": ["ip": Self.ip, "droplet": ["name": "x"]]])))
        let missing = await providerError { _ = try await mover.holder(of: group) }
        #expect(missing?.message.contains("droplet id") == true)
        await server.stop()
    }

    @Test("a wrong token gets the provider's 401 message, and the token never appears in errors")
    func unauthorised() async throws {
        let fake = DigitalOceanFake(ips: [Self.ip: 2], droplets: [1, 2])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let wrong = "dop_v1_wrong_token_value_123"
        let (mover, group) = try makeMover(
            DigitalOceanProvider.self,
            ["ip": Self.ip, "droplet_id": "1", "token_env": testTokenVariable, "endpoint": server.baseURL],
            environment: [testTokenVariable: wrong])
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.status == 401)
        #expect(error?.message == "Unable to authenticate you")
        #expect("\(String(describing: error))".contains(wrong) == false)
        #expect(server.count("GET", "/reserved_ips") == 1)
        await server.stop()
    }

    @Test("an unknown IP (404), an unknown droplet (422), a token without permission (403) and an action that errors are reported with the provider's words")
    func providerErrors() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 2)
        var unknownIP = group
        unknownIP.mover.options["ip"] = "203.0.113.99"
        let (other, _) = try makeMover(
            DigitalOceanProvider.self, unknownIP.mover.options, environment: [testTokenVariable: DigitalOceanFake.token])
        let notFound = await providerError { try await other.claim(unknownIP, epoch: 1) }
        #expect(notFound?.status == 404)
        #expect(notFound?.message == "The resource you were accessing could not be found.")

        var badDroplet = group
        badDroplet.mover.options["droplet_id"] = "77"
        let (stranger, _) = try makeMover(
            DigitalOceanProvider.self, badDroplet.mover.options, environment: [testTokenVariable: DigitalOceanFake.token])
        let unprocessable = await providerError { try await stranger.claim(badDroplet, epoch: 1) }
        #expect(unprocessable?.status == 422)
        #expect(unprocessable?.message == "Droplet not found")

        let postsBefore = server.count("POST", "/actions")
        server.inject(FakeFault(method: "POST", response: .json(
            403, ["id": "forbidden", "message": "You are not authorized to perform this operation"])))
        let forbidden = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(forbidden?.status == 403 && forbidden?.message == "You are not authorized to perform this operation")
        #expect(server.count("POST", "/actions") == postsBefore + 1, "a 403 is not retried")

        fake.state.withLock { $0.outcome = "errored" }
        let failed = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(failed?.kind == .actionFailed)
        #expect(failed?.message.contains("errored") == true)
        #expect(fake.assignment(Self.ip) == 2)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a missing token file fails each operation clearly, and a file that appears later is used without a restart")
    func missingCredentialFile() async throws {
        let fake = DigitalOceanFake(ips: [Self.ip: 2], droplets: [1, 2])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-do-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("do.token").path
        let lines = ReportedLines()
        let (mover, group) = try makeMover(
            DigitalOceanProvider.self,
            ["ip": Self.ip, "droplet_id": "1", "token_file": tokenFile, "endpoint": server.baseURL, "poll_interval": "20ms"],
            environment: [:], lines: lines)
        #expect(lines.all.contains { $0.contains("mover.token_file: \(tokenFile) does not exist") })
        do {
            try await mover.claim(group, epoch: 1)
            Issue.record("the claim succeeded without a token")
        } catch {
            #expect("\(error)" == "mover.token_file: \(tokenFile) does not exist; it must hold the DigitalOcean API token")
        }
        #expect(server.requests.isEmpty)
        #expect(mover.telemetry().lastError?.contains("does not exist") == true)
        try (DigitalOceanFake.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile)
        try await mover.claim(group, epoch: 2)
        #expect(fake.assignment(Self.ip) == 1)
        #expect(mover.telemetry().lastError == nil)
        await server.stop()
    }
}
