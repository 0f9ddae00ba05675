import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// One provider's fake and mover, for the failures every provider must survive the same way.
struct ProviderCase: Sendable, CustomStringConvertible {
    let description: String
    /// The credential the fake accepts.
    let secret: String
    /// The mover's options (without `endpoint`), the secret under `token_env`-like option names.
    let options: [String: String]
    let start: @Sendable () async throws -> (server: FakeProviderServer, heldHere: @Sendable () -> Bool)
    let make: @Sendable ([String: String], [String: String]) throws -> (any Mover & MoverTelemetrySource, GroupConfig)
    /// How the provider says a credential is wrong.
    let refusal: @Sendable (ProviderError) -> Bool
    /// A wrong credential of the right form (a service-account key the provider does not know), when
    /// any text is not one.
    var wrongSecret: String? = nil
    /// More variables the options name (a second credential).
    var environment: [String: String] = [:]

    static func of<P: CloudProvider>(
        _ type: P.Type, secret: String, options: [String: String],
        refusal: @escaping @Sendable (ProviderError) -> Bool = { $0.status == 401 }, wrongSecret: String? = nil,
        environment: [String: String] = [:], start: @escaping @Sendable () async throws -> (server: FakeProviderServer, heldHere: @Sendable () -> Bool)
    ) -> ProviderCase {
        ProviderCase(
            description: P.name, secret: secret, options: options, start: start,
            make: { options, environment in try makeMover(P.self, options, environment: environment) }, refusal: refusal,
            wrongSecret: wrongSecret, environment: environment)
    }

    static let all: [ProviderCase] = [
        .of(DigitalOceanProvider.self, secret: DigitalOceanFake.token,
            options: ["ip": "203.0.113.7", "droplet_id": "1", "token_env": testTokenVariable, "poll_interval": "20ms"]) {
            let fake = DigitalOceanFake(ips: ["203.0.113.7": 2], droplets: [1, 2])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.assignment("203.0.113.7") == 1 })
        },
        .of(HetznerCloudProvider.self, secret: HetznerCloudFake.token,
            options: ["floating_ip_id": "42", "server_id": "7", "token_env": testTokenVariable, "poll_interval": "20ms"]) {
            let fake = HetznerCloudFake(floating: [42: 8], servers: [7, 8])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.assignment(42) == 7 })
        },
        .of(HetznerRobotProvider.self, secret: HetznerRobotFake.password,
            options: ["ip": "198.51.100.30", "server_ip": "198.51.100.1", "user": HetznerRobotFake.user, "password_env": testTokenVariable]) {
            let fake = HetznerRobotFake(active: ["198.51.100.30": "198.51.100.2"], servers: ["198.51.100.1", "198.51.100.2"])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.active("198.51.100.30") == "198.51.100.1" })
        },
        .of(VultrProvider.self, secret: VultrFake.key,
            options: ["reserved_ip_id": "rip-1", "instance_id": "inst-mine", "token_env": testTokenVariable]) {
            let fake = VultrFake(attached: ["rip-1": "inst-other"], instances: ["inst-mine", "inst-other"])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.instance("rip-1") == "inst-mine" })
        },
        .of(LinodeProvider.self, secret: LinodeFake.token,
            options: ["ip": "192.0.2.10", "linode_id": "10", "region": "us-east", "token_env": testTokenVariable]) {
            let fake = LinodeFake(owners: ["192.0.2.10": 20], linodes: [10, 20])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.owner("192.0.2.10") == 10 })
        },
        .of(UpCloudProvider.self, secret: UpCloudFake.password,
            options: ["ip": "198.51.100.20", "mac": "de:ff:ff:ff:00:01", "username": UpCloudFake.user, "password_env": testTokenVariable]) {
            let fake = UpCloudFake(
                macs: ["198.51.100.20": "de:ff:ff:ff:00:02"],
                servers: ["de:ff:ff:ff:00:01": "srv-mine", "de:ff:ff:ff:00:02": "srv-other"])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.mac("198.51.100.20") == .some("de:ff:ff:ff:00:01") })
        },
        .of(OpenStackProvider.self, secret: OpenStackFake.secret,
            options: ["application_credential_id": OpenStackFake.credentialID, "secret_env": testTokenVariable,
                      "floating_ip_id": "fip-1", "port_id": "port-mine"]) {
            let fake = OpenStackFake(floating: ["fip-1": "port-other"], ports: ["port-mine", "port-other"])
            let server = try await FakeProviderServer.start { fake.handle($0) }
            fake.state.withLock { $0.base = server.baseURL }
            return (server, { fake.port("fip-1") == "port-mine" })
        },
        .of(LunaNodeProvider.self, secret: LunaNodeFake.key,
            options: ["api_id": LunaNodeFake.apiID, "api_key_env": testTokenVariable, "ip": "198.51.100.40",
                      "vm_id": "vm-mine", "peer_vm_ids": "vm-peer"],
            refusal: { $0.message == "authentication failed" }) {
            let fake = LunaNodeFake(ips: ["vm-mine": "", "vm-peer": "198.51.100.40"])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.ip(of: "vm-mine") == "198.51.100.40" })
        },
        .of(CloudflareProvider.self, secret: CloudflareFake.token,
            options: ["zone_id": CloudflareFake.zone, "name": "www.example.com", "address": "198.51.100.1",
                      "token_env": testTokenVariable],
            refusal: { $0.status == 403 && $0.message == "code 10000: Authentication error" }) {
            let fake = CloudflareFake(records: [("A", "www.example.com", "198.51.100.2")])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.contents("A", "www.example.com") == ["198.51.100.1"] })
        },
        .of(GCPProvider.self, secret: GCPFake.keyFile(),
            options: ["project": GCPFake.project, "zone": "europe-west1-b", "instance": "web1", "alias_ip": "10.128.0.50/32",
                      "key_env": testTokenVariable, "poll_interval": "20ms"],
            refusal: { $0.status == 400 && $0.message == "invalid_grant: Invalid JWT Signature." },
            wrongSecret: GCPFake.keyFile(GCPMoverTests.strangerKey)) {
            let fake = GCPFake(instances: ["web1": ("europe-west1-b", []), "web2": ("europe-west1-b", ["10.128.0.50/32"])])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.holder("10.128.0.50/32") == "web1" })
        },
        .of(OVHProvider.self, secret: OVHFake.secret,
            options: ["ip": "203.0.113.5", "service_name": "ns1.example.eu", "application_key": OVHFake.applicationKey,
                      "application_secret_env": testTokenVariable, "consumer_key_env": "FLOATIP_TEST_CONSUMER",
                      "poll_interval": "20ms"],
            refusal: { $0.status == 400 && $0.message == "INVALID_SIGNATURE: Invalid signature" },
            environment: ["FLOATIP_TEST_CONSUMER": OVHFake.consumer]) {
            let fake = OVHFake(routed: ["203.0.113.5/32": "ns2.example.eu"], services: ["ns1.example.eu", "ns2.example.eu"])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.service("203.0.113.5/32") == "ns1.example.eu" })
        },
        .of(AzureProvider.self, secret: AzureFake.secret,
            options: ["subscription_id": AzureFake.subscription, "resource_group": "rg", "nic": "web1-nic", "private_ip": "10.0.0.50",
                      "peer_nics": "web2-nic", "tenant_id": AzureFake.tenant, "client_id": AzureFake.clientID,
                      "client_secret_env": testTokenVariable, "poll_interval": "20ms"],
            refusal: { $0.status == 401 && $0.message == "invalid_client: AADSTS7000215: Invalid client secret provided." }) {
            let fake = AzureFake(nics: ["web1-nic": ("10.0.0.4", []), "web2-nic": ("10.0.0.5", ["10.0.0.50"])])
            return (try await FakeProviderServer.start { fake.handle($0) }, { fake.holder("10.0.0.50") == "web1-nic" })
        },
        .of(AWSProvider.self, secret: AWSRouteTableFake.secret,
            options: ["region": "us-east-1", "access_key_id": AWSRouteTableFake.keyID, "secret_key_env": testTokenVariable,
                      "overlay": "true", "route_tables": "rtb-a, rtb-b", "network_interface_id": "eni-mine"],
            refusal: { $0.status == 401 && $0.message.hasPrefix("AuthFailure") }) {
            let fake = AWSRouteTableFake(routes: ["rtb-a": ["198.18.0.100/32": "eni-other"], "rtb-b": [:]])
            return (try await FakeProviderServer.start { fake.handle($0) }, {
                fake.target("rtb-a", "198.18.0.100/32") == "eni-mine" && fake.target("rtb-b", "198.18.0.100/32") == "eni-mine"
            })
        },
    ]

    /// The fake, and a mover pointed at it with `secret` (the right one by default) and `extra` options.
    func setUp(secret: String? = nil, _ extra: [String: String] = [:]) async throws
        -> (server: FakeProviderServer, heldHere: @Sendable () -> Bool, mover: any Mover & MoverTelemetrySource, group: GroupConfig)
    {
        let (server, heldHere) = try await start()
        var all = options
        all["endpoint"] = server.baseURL
        if all["auth_url"] == nil, description == OpenStackProvider.name { all["auth_url"] = server.baseURL }
        if description == GCPProvider.name { all["token_endpoint"] = server.baseURL + "/token" }
        if description == OVHProvider.name { all["endpoint"] = server.baseURL + "/1.0" }
        if description == AzureProvider.name { all["login_endpoint"] = server.baseURL }
        all.merge(["claim_timeout": "5s"]) { old, _ in old }
        all.merge(extra) { $1 }
        let (mover, group) = try make(all, environment.merging([testTokenVariable: secret ?? self.secret]) { $1 })
        return (server, heldHere, mover, group)
    }
}

/// The failures every provider's mover must handle alike, each against the provider's own fake:
/// a refused credential, 429 with Retry-After then 500 then success, a provider too slow for
/// `request_timeout`, and a malformed answer.
@Suite("Every provider: refused credential, 429 and 500 retried, timeout, malformed answer")
struct ProviderFailureMatrixTests {
    @Test("a wrong credential is refused with the provider's message, never echoing the secret", arguments: ProviderCase.all)
    func wrongCredential(_ provider: ProviderCase) async throws {
        let wrong = provider.wrongSecret ?? "wrong-" + String(repeating: "z", count: 122)
        let setUp = try await provider.setUp(secret: wrong)
        let error = await providerError { try await setUp.mover.claim(setUp.group, epoch: 1) }
        #expect(error.map(provider.refusal) == true, "\(String(describing: error))")
        #expect(!"\(String(describing: error))".contains(wrong))
        #expect(!setUp.heldHere())
        #expect(setUp.server.unrecognised.isEmpty)
        await setUp.server.stop()
    }

    @Test("429 with Retry-After and then 500 are retried; the claim succeeds after the wait", arguments: ProviderCase.all)
    func retried(_ provider: ProviderCase) async throws {
        let setUp = try await provider.setUp()
        setUp.server.inject(FakeFault(response: .json(429, ["error": "slow down"], headers: [("Retry-After", "1")])))
        setUp.server.inject(FakeFault(response: .json(500, ["error": "internal"])))
        let start = ContinuousClock.now
        try await setUp.mover.claim(setUp.group, epoch: 1)
        #expect(seconds(since: start) >= 1)
        #expect(setUp.heldHere())
        #expect(setUp.mover.telemetry().retries == 2)
        #expect(try await setUp.mover.holder(of: setUp.group) == .this)
        #expect(setUp.server.unrecognised.isEmpty)
        await setUp.server.stop()
    }

    @Test("a provider slower than request_timeout fails the claim by claim_timeout", arguments: ProviderCase.all)
    func timeout(_ provider: ProviderCase) async throws {
        let setUp = try await provider.setUp(["request_timeout": "200ms", "claim_timeout": "1s"])
        for _ in 0..<10 { setUp.server.inject(FakeFault(response: FakeResponse(status: 200, delay: .seconds(2)))) }
        let start = ContinuousClock.now
        let error = await providerError { try await setUp.mover.claim(setUp.group, epoch: 1) }
        #expect(seconds(since: start) < 2.5)
        #expect(error?.message.contains("no answer within") == true, "\(String(describing: error))")
        #expect(!setUp.heldHere())
        await setUp.server.stop()
    }

    @Test("a malformed answer is a clear error", arguments: ProviderCase.all)
    func malformed(_ provider: ProviderCase) async throws {
        let setUp = try await provider.setUp()
        setUp.server.inject(FakeFault(response: .raw(200, #"{"unfinished": ["#)))
        let error = await providerError { _ = try await setUp.mover.holder(of: setUp.group) }
        #expect(error?.kind == .malformed)
        // OpenStack's first call is Keystone's, whose token is a header: its answer lacks it. AWS answers XML.
        let said = error?.message ?? ""
        #expect(said.contains("not JSON") || said.contains("without `X-Subject-Token`") || said.contains("malformed XML"), "\(said)")
        await setUp.server.stop()
    }
}
