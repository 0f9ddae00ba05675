import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The movers of providers whose move is one synchronous call (Vultr, Linode, UpCloud, Hetzner
/// Robot), each against its fake on 127.0.0.1.
@Suite("Vultr, Linode, UpCloud and Hetzner Robot movers")
struct SynchronousProviderTests {
    func moverFor<P: CloudProvider>(_ type: P.Type, _ server: FakeProviderServer, _ options: [String: String], secret: String)
        throws -> (any Mover & MoverTelemetrySource, GroupConfig)
    {
        var all = options
        all["endpoint"] = server.baseURL
        all["claim_timeout"] = all["claim_timeout"] ?? "5s"
        return try makeMover(P.self, all, environment: [testTokenVariable: secret])
    }

    @Test("vultr: attach, idempotent claim, detach on release, 404 for an unknown instance")
    func vultr() async throws {
        let fake = VultrFake(attached: ["rip-1": "inst-other"], instances: ["inst-mine", "inst-other"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let options = ["reserved_ip_id": "rip-1", "instance_id": "inst-mine", "token_env": testTokenVariable]
        let (mover, group) = try moverFor(VultrProvider.self, server, options, secret: VultrFake.key)
        #expect(try await mover.holder(of: group) == .other("inst-other"))
        try await mover.claim(group, epoch: 1)
        #expect(fake.instance("rip-1") == "inst-mine")
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "/attach") == 1)
        try await mover.release(group, epoch: 2)
        #expect(fake.instance("rip-1") == "")
        #expect(try await mover.holder(of: group) == .none)
        var stranger = options
        stranger["instance_id"] = "inst-gone"
        let (other, otherGroup) = try moverFor(VultrProvider.self, server, stranger, secret: VultrFake.key)
        let error = await providerError { try await other.claim(otherGroup, epoch: 1) }
        #expect(error?.status == 404 && error?.message == "Invalid instance-id.")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("linode: assign, idempotent claim, release is a reported no-op, 429 with Retry-After honoured")
    func linode() async throws {
        let fake = LinodeFake(owners: ["192.0.2.10": 20], linodes: [10, 20])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let lines = ReportedLines()
        let options = [
            "ip": "192.0.2.10", "linode_id": "10", "region": "us-east", "token_env": testTokenVariable,
            "endpoint": server.baseURL, "claim_timeout": "5s",
        ]
        let (mover, group) = try makeMover(LinodeProvider.self, options, environment: [testTokenVariable: LinodeFake.token], lines: lines)
        server.inject(FakeFault(method: "POST", response: .json(
            429, ["errors": [["reason": "Too many requests"]]], headers: [("Retry-After", "1")])))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        #expect(seconds(since: start) >= 1)
        #expect(fake.owner("192.0.2.10") == 10)
        let assign = try #require(server.requests.last { $0.method == "POST" }?.json)
        #expect(assign["region"] as? String == "us-east")
        #expect((assign["assignments"] as? [[String: Any]])?.first?["linode_id"] as? Int == 10)
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "/assign") == 2)
        try await mover.release(group, epoch: 2)
        #expect(fake.owner("192.0.2.10") == 10)
        #expect(lines.all.contains { $0.contains("Linode has no detach") })
        var wrongRegion = options
        wrongRegion["region"] = "eu-west"
        fake.state.withLock { $0.owners["192.0.2.10"] = 20 }
        let (other, otherGroup) = try makeMover(LinodeProvider.self, wrongRegion, environment: [testTokenVariable: LinodeFake.token])
        let error = await providerError { try await other.claim(otherGroup, epoch: 1) }
        #expect(error?.status == 400 && error?.message == "Linodes must be in the same region")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("upcloud: PATCH the MAC, idempotent claim, null MAC on release, Basic auth refused with UpCloud's message")
    func upcloud() async throws {
        let fake = UpCloudFake(
            macs: ["198.51.100.20": "de:ff:ff:ff:00:02"],
            servers: ["de:ff:ff:ff:00:01": "srv-mine", "de:ff:ff:ff:00:02": "srv-other"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let options = [
            "ip": "198.51.100.20", "mac": "DE:FF:FF:FF:00:01", "username": UpCloudFake.user, "password_env": testTokenVariable,
        ]
        let (mover, group) = try moverFor(UpCloudProvider.self, server, options, secret: UpCloudFake.password)
        #expect(try await mover.holder(of: group) == .other("de:ff:ff:ff:00:02"))
        try await mover.claim(group, epoch: 1)
        #expect(fake.mac("198.51.100.20") == .some("de:ff:ff:ff:00:01"))
        try await mover.claim(group, epoch: 2)
        #expect(server.count("PATCH", "/ip_address/") == 1)
        try await mover.release(group, epoch: 2)
        #expect(fake.mac("198.51.100.20") == .some(nil))
        #expect(try await mover.holder(of: group) == .none)
        let (refused, refusedGroup) = try moverFor(UpCloudProvider.self, server, options, secret: "wrong-password-value")
        let error = await providerError { _ = try await refused.holder(of: refusedGroup) }
        #expect(error?.status == 401)
        #expect(error?.message == "AUTHENTICATION_FAILED: Authentication failed using the given username and password.")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("hetzner-robot: form POST, already routed (409) is success, rate limit (403) retried, no detach")
    func robot() async throws {
        let fake = HetznerRobotFake(active: ["198.51.100.30": "198.51.100.2"], servers: ["198.51.100.1", "198.51.100.2"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let lines = ReportedLines()
        let options = [
            "ip": "198.51.100.30", "server_ip": "198.51.100.1", "user": HetznerRobotFake.user,
            "password_env": testTokenVariable, "endpoint": server.baseURL, "claim_timeout": "5s",
        ]
        let (mover, group) = try makeMover(
            HetznerRobotProvider.self, options, environment: [testTokenVariable: HetznerRobotFake.password], lines: lines)
        server.inject(FakeFault(method: "POST", response: .json(
            403, ["error": ["status": 403, "code": "RATE_LIMIT_EXCEEDED", "message": "Rate limit exceeded"]])))
        fake.state.withLock { $0.delay = .milliseconds(300) }
        try await mover.claim(group, epoch: 1)
        #expect(fake.active("198.51.100.30") == "198.51.100.1")
        #expect(server.requests.last { $0.method == "POST" }?.form["active_server_ip"] == "198.51.100.1")
        #expect(mover.telemetry().retries == 1)
        // The provider already routes it here but our read raced: the 409 counts as success.
        server.inject(FakeFault(method: "GET", response: .json(200, ["failover": [
            "ip": "198.51.100.30", "netmask": "255.255.255.255", "server_ip": "198.51.100.1", "server_number": 321,
            "active_server_ip": "198.51.100.2",
        ] as [String: Any]])))
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "/failover/") == 3)
        try await mover.release(group, epoch: 2)
        #expect(fake.active("198.51.100.30") == "198.51.100.1")
        #expect(lines.all.contains { $0.contains("Hetzner Robot has no detach") })
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }
}
