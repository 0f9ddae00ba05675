import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `openstack` mover against `OpenStackFake` (Keystone + Neutron) on 127.0.0.1.
@Suite("OpenStack mover")
struct OpenStackMoverTests {
    func setUp(port holder: String?, secret: String = OpenStackFake.secret) async throws
        -> (FakeProviderServer, OpenStackFake, any Mover & MoverTelemetrySource, GroupConfig)
    {
        let fake = OpenStackFake(floating: ["fip-1": holder], ports: ["port-mine", "port-other"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        fake.state.withLock { $0.base = server.baseURL }
        let (mover, group) = try makeMover(
            OpenStackProvider.self,
            [
                "auth_url": server.baseURL, "application_credential_id": OpenStackFake.credentialID,
                "secret_env": testTokenVariable, "floating_ip_id": "fip-1", "port_id": "port-mine", "claim_timeout": "5s",
            ],
            environment: [testTokenVariable: secret])
        return (server, fake, mover, group)
    }

    @Test("claim authenticates once, reads the revision and moves the IP with If-Match; holder follows")
    func claim() async throws {
        let (server, fake, mover, group) = try await setUp(port: "port-other")
        #expect(try await mover.holder(of: group) == .other("port-other"))
        try await mover.claim(group, epoch: 1)
        #expect(fake.port("fip-1") == "port-mine")
        let put = try #require(server.requests.first { $0.method == "PUT" })
        #expect(put.header("If-Match") == "revision_number=1")
        #expect(put.path == "/network/v2.0/floatingips/fip-1")
        #expect(try await mover.holder(of: group) == .this)
        #expect(server.count("POST", "/v3/auth/tokens") == 1)
        try await mover.claim(group, epoch: 2)
        #expect(server.count("PUT", "/floatingips/") == 1)
        try await mover.release(group, epoch: 2)
        #expect(fake.port("fip-1") == nil)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a peer moving the IP between our read and our write gets a 412, reported as a conflict")
    func compareAndSwap() async throws {
        let (server, fake, mover, group) = try await setUp(port: nil)
        fake.state.withLock { $0.raceTo = "port-other" }
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.kind == .conflict)
        #expect(error?.status == 412)
        #expect(error?.message.contains("someone else changed the floating IP first") == true)
        #expect(fake.port("fip-1") == "port-other")
        // A release that loses the same race is not an error: the address is no longer ours.
        fake.state.withLock { $0.floating["fip-1"] = OpenStackFake.Floating(port: "port-mine", revision: 7) }
        fake.state.withLock { $0.raceTo = "port-other" }
        try await mover.release(group, epoch: 1)
        #expect(fake.port("fip-1") == "port-other")
        await server.stop()
    }

    @Test("a revoked token is renewed once; a wrong secret is Keystone's 401 without the secret")
    func tokens() async throws {
        let (server, fake, mover, group) = try await setUp(port: "port-other")
        _ = try await mover.holder(of: group)
        fake.state.withLock { $0.tokens.removeAll() }
        #expect(try await mover.holder(of: group) == .other("port-other"))
        #expect(server.count("POST", "/v3/auth/tokens") == 2)
        await server.stop()

        let wrong = "not-the-secret-but-long-enough"
        let (server2, _, refused, group2) = try await setUp(port: "port-other", secret: wrong)
        let error = await providerError { try await refused.claim(group2, epoch: 1) }
        #expect(error?.status == 401)
        #expect(error?.message == "The request you have made requires authentication.")
        #expect(!"\(String(describing: error))".contains(wrong))
        await server2.stop()
    }

    @Test("an unknown floating IP and an unknown port are reported with Neutron's message")
    func notFound() async throws {
        let (server, fake, _, group) = try await setUp(port: "port-other")
        var unknown = group
        unknown.mover.options["floating_ip_id"] = "fip-9"
        let (mover, _) = try makeMover(OpenStackProvider.self, unknown.mover.options, environment: [testTokenVariable: OpenStackFake.secret])
        let error = await providerError { try await mover.claim(unknown, epoch: 1) }
        #expect(error?.status == 404 && error?.message == "Floating IP fip-9 could not be found")
        var badPort = group
        badPort.mover.options["port_id"] = "port-gone"
        let (stranger, _) = try makeMover(OpenStackProvider.self, badPort.mover.options, environment: [testTokenVariable: OpenStackFake.secret])
        let missing = await providerError { try await stranger.claim(badPort, epoch: 1) }
        #expect(missing?.message == "Port port-gone could not be found.")
        #expect(fake.port("fip-1") == "port-other")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }
}
