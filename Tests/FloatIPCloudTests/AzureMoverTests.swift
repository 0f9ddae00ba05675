import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `azure` mover against `AzureFake` (instance metadata service, Entra ID token endpoint and
/// Resource Manager) on 127.0.0.1.
@Suite("Azure mover")
struct AzureMoverTests {
    static let address = "10.0.0.50"

    func setUp(
        holder: String? = "web2-nic", environment: [String: String] = [:], _ extra: (String) -> [String: String] = { _ in [:] }
    ) async throws -> (FakeProviderServer, AzureFake, any Mover & MoverTelemetrySource, GroupConfig) {
        let fake = AzureFake(nics: [
            "web1-nic": ("10.0.0.4", holder == "web1-nic" ? [Self.address] : []),
            "web2-nic": ("10.0.0.5", holder == "web2-nic" ? [Self.address] : []),
            "web3-nic": ("10.0.0.6", []),
        ])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        var options = [
            "subscription_id": AzureFake.subscription, "resource_group": "rg", "nic": "web1-nic", "private_ip": Self.address,
            "peer_nics": "web2-nic, rg/web3-nic, rg/deleted-nic", "endpoint": server.baseURL, "metadata_endpoint": server.baseURL,
            "poll_interval": "10ms", "claim_timeout": "5s",
        ]
        options.merge(extra(server.baseURL)) { $1 }
        let (mover, group) = try makeMover(AzureProvider.self, options, environment: environment)
        return (server, fake, mover, group)
    }

    @Test("claim removes the IP configuration from the holder's NIC and adds it here, each a full PUT with If-Match, polled until Succeeded")
    func claim() async throws {
        let (server, fake, mover, group) = try await setUp()
        #expect(try await mover.holder(of: group) == .other("web2-nic"))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        print("azure: claim against the fake (2 PUTs, operations Succeeded on the second poll, 10 ms apart) took \(ContinuousClock.now - start)")
        #expect(fake.holder(Self.address) == "web1-nic")
        let puts = server.requests.filter { $0.method == "PUT" }
        #expect(puts.map { $0.segments.last } == ["web2-nic", "web1-nic"])
        #expect(puts.allSatisfy { $0.header("If-Match")?.hasPrefix("W/\"") == true })
        #expect(puts.allSatisfy { ($0.json?["properties"] as? [String: Any])?["virtualMachine"] != nil }, "the NIC's full body")
        #expect(server.count("GET", "/operations/") == 4)
        #expect(server.requests.filter { $0.path.hasPrefix("/metadata/") }.allSatisfy { $0.header("Metadata") == "true" })
        #expect(server.count("GET", "/metadata/identity/") == 1, "the token is cached")
        #expect(try await mover.holder(of: group) == .this)
        try await mover.claim(group, epoch: 2)
        #expect(server.count("PUT", "/networkInterfaces/") == 2, "a claim that is already true moves nothing")
        try await mover.release(group, epoch: 2)
        #expect(fake.holder(Self.address) == nil)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a client secret gets the token; the public IP moves with the configuration")
    func clientSecretAndPublicIP() async throws {
        let publicIP = "/subscriptions/\(AzureFake.subscription)/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/vip"
        let (server, fake, mover, group) = try await setUp(environment: [testTokenVariable: AzureFake.secret]) { base in
            ["tenant_id": AzureFake.tenant, "client_id": AzureFake.clientID, "client_secret_env": testTokenVariable,
             "login_endpoint": base, "public_ip_id": publicIP]
        }
        fake.state.withLock { $0.nics["web2-nic"]?.configurations[1].publicIP = publicIP }
        try await mover.claim(group, epoch: 1)
        #expect(fake.holder(Self.address) == "web1-nic" && fake.publicIP(of: "web1-nic") == publicIP)
        #expect(fake.publicIP(of: "web2-nic") == nil)
        #expect(server.count("POST", "/oauth2/v2.0/token") == 1 && server.count("GET", "/metadata/") == 0)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a stale ETag (someone else changed the NIC first) is retried after a fresh read; three in a row is a conflict")
    func staleETag() async throws {
        let (server, fake, mover, group) = try await setUp(holder: nil)
        fake.state.withLock { $0.racingUpdates = 1 }
        try await mover.claim(group, epoch: 1)
        #expect(fake.holder(Self.address) == "web1-nic")
        #expect(server.count("PUT", "/web1-nic") == 2)
        fake.state.withLock { $0.racingUpdates = 3 }
        // A release that loses so is no error (a peer's claim wins, which is what release wants); nothing is removed.
        try await mover.release(group, epoch: 1)
        #expect(fake.holder(Self.address) == "web1-nic")
        try await mover.release(group, epoch: 1)
        #expect(fake.holder(Self.address) == nil)
        fake.state.withLock { $0.racingUpdates = 3 }
        let error = await providerError { try await mover.claim(group, epoch: 2) }
        #expect(error?.kind == .conflict && error?.status == 412, "\(String(describing: error))")
        #expect(error?.message.contains("someone else changed NIC web1-nic first") == true)
        #expect(fake.holder(Self.address) == nil)
        await server.stop()
    }

    @Test("an operation that Failed, an address another NIC has, an unknown NIC are errors with Azure's message")
    func failures() async throws {
        let (server, fake, mover, group) = try await setUp(holder: nil)
        fake.state.withLock { $0.failNext = "Allocation failed" }
        let failed = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(failed?.kind == .actionFailed && failed?.message.contains("InternalServerError: Allocation failed") == true,
                "\(String(describing: failed))")
        // A NIC outside peer_nics has it: Azure refuses to allocate the address twice.
        fake.state.withLock { $0.nics["stranger-nic"] = (AzureFake.etag(), [.init(name: "ipconfig1", address: Self.address, primary: true)]) }
        let taken = await providerError { try await mover.claim(group, epoch: 2) }
        #expect(taken?.status == 400 && taken?.message.hasPrefix("PrivateIPAddressInUse: ") == true, "\(String(describing: taken))")

        // An operation URL on another host is not followed: the token goes only to `endpoint`.
        let elsewhere = "http://198.18.0.9/subscriptions/\(AzureFake.subscription)/providers/Microsoft.Network/locations/westeurope/operations/x"
        server.inject(FakeFault(method: "PUT", response: .json(200, ["name": "web1-nic"], headers: [("Azure-AsyncOperation", elsewhere)])))
        let redirected = await providerError { try await mover.claim(group, epoch: 3) }
        #expect(redirected?.kind == .malformed && redirected?.message.contains("points outside \(server.baseURL); not followed") == true,
                "\(String(describing: redirected))")
        #expect(!server.requests.contains { $0.path.hasSuffix("/operations/x") })

        var options = group.mover.options
        options["nic"] = "web9-nic"
        let (unknown, unknownGroup) = try makeMover(AzureProvider.self, options, environment: [:])
        let notFound = await providerError { try await unknown.claim(unknownGroup, epoch: 1) }
        #expect(notFound?.status == 404 && notFound?.message.hasPrefix("ResourceNotFound: The Resource 'Microsoft.Network/networkInterfaces/web9-nic'") == true)
        #expect(notFound?.message.hasSuffix("(check `nic` and `resource_group`)") == true)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("check-config: the required options, a client secret without tenant, a bad public IP id, peer_nics")
    func options() throws {
        func problems(_ options: [String: String]) throws -> [String] {
            CloudMovers.problems(AzureProvider.self, group: try cloudGroup(.azure, options), credentials: true, environment: [:]).map(\.description)
        }
        let good = ["subscription_id": "s", "resource_group": "rg", "nic": "web1-nic", "private_ip": "10.0.0.50", "peer_nics": "web2-nic"]
        #expect(try problems(good).isEmpty, "the managed identity needs no credential")
        #expect(try problems(good.filter { $0.key != "peer_nics" }).first?.hasPrefix("mover.peer_nics: missing") == true)
        #expect(try problems(good.merging(["client_secret_env": "AZ_SECRET"]) { $1 }).contains(
            "mover.tenant_id: missing: a client secret needs `tenant_id` and `client_id`"))
        #expect(try problems(good.merging(["public_ip_id": "vip"]) { $1 }).first?.hasPrefix("mover.public_ip_id: `vip` is not a public IP's resource id") == true)
        #expect(try problems(good.merging(["peer_nics": "a/b/c"]) { $1 }) == ["mover.peer_nics: `a/b/c` is not `NAME` or `RESOURCE_GROUP/NAME`"])
        #expect(try problems(good.merging(["private_ip": "10.0.0"]) { $1 }).first?.hasPrefix("mover.private_ip: `10.0.0` is not") == true)
    }
}
