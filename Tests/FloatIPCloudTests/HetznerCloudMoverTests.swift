import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `hetzner` mover against `HetznerCloudFake` on 127.0.0.1 (the provider part; composing with
/// the local mover needs root and is covered by `CloudMovers.composesWithLocal` and the docs).
@Suite("Hetzner Cloud mover")
struct HetznerCloudMoverTests {
    func setUp(holder: Int?, extra: [String: String] = [:]) async throws
        -> (FakeProviderServer, HetznerCloudFake, any Mover & MoverTelemetrySource, GroupConfig)
    {
        let fake = HetznerCloudFake(floating: [42: holder], servers: [7, 8])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        var options = [
            "floating_ip_id": "42", "server_id": "7", "token_env": testTokenVariable, "endpoint": server.baseURL,
            "poll_interval": "20ms", "claim_timeout": "5s",
        ]
        options.merge(extra) { $1 }
        let (mover, group) = try makeMover(
            HetznerCloudProvider.self, options, environment: [testTokenVariable: HetznerCloudFake.token])
        return (server, fake, mover, group)
    }

    @Test("claim assigns the floating IP and waits for the action's success; holder follows")
    func claim() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 8)
        #expect(try await mover.holder(of: group) == .other("8"))
        try await mover.claim(group, epoch: 1)
        #expect(fake.assignment(42) == 7)
        #expect(server.count("GET", "/v1/actions/") == 2)
        #expect(server.requests.first { $0.path.hasSuffix("/actions/assign") }?.json?["server"] as? Int == 7)
        #expect(try await mover.holder(of: group) == .this)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("already assigned here: no assign call; release unassigns; release elsewhere does nothing")
    func idempotentAndRelease() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 7)
        try await mover.claim(group, epoch: 1)
        #expect(server.count("POST", "/actions/") == 0)
        try await mover.release(group, epoch: 1)
        #expect(fake.assignment(42) == nil)
        #expect(server.count("POST", "/actions/unassign") == 1)
        fake.state.withLock { $0.floating[42] = .some(8) }
        try await mover.release(group, epoch: 2)
        #expect(server.count("POST", "/actions/unassign") == 1)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("an action that ends in error fails the claim with Hetzner's code and message")
    func actionError() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 8)
        fake.state.withLock { $0.fail = true }
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.kind == .actionFailed)
        #expect(error?.message.contains("action_failed: Action failed") == true)
        #expect(fake.assignment(42) == 8)
        await server.stop()
    }

    @Test("429 with Retry-After, 500, 404 and 422 answers")
    func errors() async throws {
        let (server, fake, mover, group) = try await setUp(holder: 8)
        server.inject(FakeFault(method: "POST", response: .json(
            429, ["error": ["code": "rate_limit_exceeded", "message": "limit of 3600 requests per hour reached"]],
            headers: [("Retry-After", "1")])))
        server.inject(FakeFault(method: "GET", pathContains: "/actions/", response: .json(
            500, ["error": ["code": "server_error", "message": "internal"]])))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        #expect(seconds(since: start) >= 1)
        #expect(fake.assignment(42) == 7)
        #expect(mover.telemetry().retries == 2)

        var unknown = group
        unknown.mover.options["floating_ip_id"] = "99"
        let (other, _) = try makeMover(HetznerCloudProvider.self, unknown.mover.options, environment: [testTokenVariable: HetznerCloudFake.token])
        let notFound = await providerError { try await other.claim(unknown, epoch: 1) }
        #expect(notFound?.status == 404 && notFound?.message == "not_found: floating_ip not found")

        var stranger = group
        stranger.mover.options["server_id"] = "99"
        fake.state.withLock { $0.floating[42] = .some(8) }
        let (wrongServer, _) = try makeMover(HetznerCloudProvider.self, stranger.mover.options, environment: [testTokenVariable: HetznerCloudFake.token])
        let invalid = await providerError { try await wrongServer.claim(stranger, epoch: 1) }
        #expect(invalid?.status == 422 && invalid?.message == "invalid_input: server 99 not found")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }
}
