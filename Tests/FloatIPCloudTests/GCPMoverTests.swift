import FloatIPCloud
import FloatIPCore
import Foundation
import Testing
import _CryptoExtras

/// The `gcp` mover against `GCPFake` (metadata server, token endpoint and Compute v1) on 127.0.0.1.
@Suite("Google Cloud mover")
struct GCPMoverTests {
    static let range = "10.128.0.50/32"
    /// A key the fake does not know (a refused service account).
    static let strangerKey: _RSA.Signing.PrivateKey = {
        do { return try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch { fatalError("\(error)") }
    }()

    func setUp(
        holder: String? = "web2", environment: [String: String] = [:], _ extra: (String) -> [String: String] = { _ in [:] }
    ) async throws -> (FakeProviderServer, GCPFake, any Mover & MoverTelemetrySource, GroupConfig) {
        let fake = GCPFake(instances: [
            "web1": ("europe-west1-c", holder == "web1" ? [Self.range] : []),
            "web2": ("europe-west1-b", holder == "web2" ? ["10.128.0.60/32", Self.range] : ["10.128.0.60/32"]),
            "db1": ("europe-west1-b", []),
        ])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        var options = [
            "project": GCPFake.project, "zone": "europe-west1-c", "instance": "web1", "alias_ip": Self.range,
            "endpoint": server.baseURL, "metadata_endpoint": server.baseURL, "poll_interval": "10ms", "claim_timeout": "5s",
        ]
        options.merge(extra(server.baseURL)) { $1 }
        options = options.filter { !$0.value.isEmpty }  // "" removes a default option
        let (mover, group) = try makeMover(GCPProvider.self, options, environment: environment)
        return (server, fake, mover, group)
    }

    @Test("claim finds the holder in every zone, removes the range there, adds it here, each operation polled until DONE")
    func claim() async throws {
        let (server, fake, mover, group) = try await setUp()
        #expect(try await mover.holder(of: group) == .other("web2"))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        print("gcp: claim against the fake (2 updates, 2 polls each, 10 ms apart) took \(ContinuousClock.now - start)")
        #expect(fake.holder(Self.range) == "web1")
        let web2 = fake.state.withLock { $0.instances["web2"]?.nics.first?.ranges }
        #expect(web2 == ["10.128.0.60/32"], "the other ranges stay where they are")
        let updates = server.requests.filter { $0.method == "POST" && $0.path.hasSuffix("/updateNetworkInterface") }
        #expect(updates.map(\.path) == [
            "/compute/v1/projects/\(GCPFake.project)/zones/europe-west1-b/instances/web2/updateNetworkInterface",
            "/compute/v1/projects/\(GCPFake.project)/zones/europe-west1-c/instances/web1/updateNetworkInterface",
        ])
        #expect(updates.allSatisfy { $0.query == "networkInterface=nic0" && $0.json?["fingerprint"] is String })
        #expect(server.count("GET", "/operations/") == 4)
        #expect(server.requests.filter { $0.path.hasPrefix("/computeMetadata/") }.allSatisfy { $0.header("Metadata-Flavor") == "Google" })
        #expect(server.count("GET", "/computeMetadata/") == 1, "the token is cached")
        #expect(try await mover.holder(of: group) == .this)
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "/updateNetworkInterface") == 2, "a claim that is already true moves nothing")
        try await mover.release(group, epoch: 2)
        #expect(fake.holder(Self.range) == nil)
        #expect(try await mover.holder(of: group) == .none)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a service-account key is exchanged for a token with an RS256 JWT; peer_instances (one deleted) skip the project search")
    func serviceAccountKey() async throws {
        let (server, fake, mover, group) = try await setUp(environment: [testTokenVariable: GCPFake.keyFile()]) { base in
            ["key_env": testTokenVariable, "token_endpoint": base + "/token", "peer_instances": "europe-west1-b/web2, db1, gone"]
        }
        try await mover.claim(group, epoch: 1)
        #expect(fake.holder(Self.range) == "web1")
        #expect(server.count("POST", "/token") == 1)
        #expect(server.count("GET", "/computeMetadata/") == 0)
        #expect(server.count("GET", "/aggregated/") == 0)
        let assertion = try #require(server.requests.first { $0.path == "/token" }?.form["assertion"])
        let header = try #require(GCPFake.json(String(assertion.split(separator: ".")[0])))
        #expect(header["alg"] as? String == "RS256" && header["kid"] as? String == "0123456789abcdef")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a stale fingerprint (someone else changed the interface first) is retried after a fresh read; three in a row is a conflict")
    func staleFingerprint() async throws {
        let (server, fake, mover, group) = try await setUp(holder: nil)
        fake.state.withLock { $0.racingUpdates = 1 }
        try await mover.claim(group, epoch: 1)
        #expect(fake.holder(Self.range) == "web1")
        #expect(server.count("POST", "/updateNetworkInterface") == 2)
        #expect(server.count("GET", "/instances/web1") == 2, "a fresh read before the retry")

        fake.state.withLock { $0.racingUpdates = 3 }
        // A release that loses so is no error (a peer's claim wins, which is what release wants); nothing is removed.
        try await mover.release(group, epoch: 1)
        #expect(fake.holder(Self.range) == "web1")
        try await mover.release(group, epoch: 1)
        #expect(fake.holder(Self.range) == nil)
        fake.state.withLock { $0.racingUpdates = 3 }
        let error = await providerError { try await mover.claim(group, epoch: 2) }
        #expect(error?.kind == .conflict && error?.status == 412, "\(String(describing: error))")
        #expect(error?.message.contains("someone else changed web1's nic0 first") == true)
        #expect(fake.holder(Self.range) == nil)
        await server.stop()
    }

    @Test("an operation DONE with an error fails the claim with its message; a renewed token after a 401")
    func operationErrorAndRenewal() async throws {
        let (server, fake, mover, group) = try await setUp(holder: nil)
        fake.state.withLock { $0.failNext = "The resource 'projects/floatip-test/regions/europe-west1/subnetworks/default' is not ready" }
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.kind == .actionFailed)
        #expect(error?.message.contains("subnetworks/default' is not ready") == true, "\(String(describing: error))")
        fake.state.withLock { $0.tokens.removeAll() }
        try await mover.claim(group, epoch: 2)
        #expect(fake.holder(Self.range) == "web1")
        #expect(server.count("GET", "/computeMetadata/") == 2)
        await server.stop()
    }

    @Test("an unknown instance, an unknown interface and a broken key file are errors naming them, without the key")
    func badInput() async throws {
        let (server, _, _, group) = try await setUp()
        var options = group.mover.options
        options["instance"] = "web9"
        let (missing, missingGroup) = try makeMover(GCPProvider.self, options, environment: [:])
        let notFound = await providerError { try await missing.claim(missingGroup, epoch: 1) }
        #expect(notFound?.status == 404 && notFound?.message.hasSuffix("instances/web9' was not found (check `instance` and `zone`)") == true,
                "\(String(describing: notFound))")

        options["instance"] = "web1"
        options["network_interface"] = "nic3"
        let (noNIC, noNICGroup) = try makeMover(GCPProvider.self, options, environment: [:])
        let nic = await providerError { try await noNIC.claim(noNICGroup, epoch: 1) }
        #expect(nic?.kind == .malformed && nic?.message.contains("`nic3` (option `network_interface`)") == true, "\(String(describing: nic))")

        options["network_interface"] = nil
        options["key_env"] = testTokenVariable
        let secret = GCPFake.keyFile().replacingOccurrences(of: "private_key\"", with: "private_kee\"")
        let (broken, brokenGroup) = try makeMover(GCPProvider.self, options, environment: [testTokenVariable: secret])
        do {
            try await broken.claim(brokenGroup, epoch: 1)
            Issue.record("a key without `private_key` was accepted")
        } catch let problem as CredentialProblem {
            #expect("\(problem)" == "mover.key_env: the key is not a service-account key: no `private_key`")
        }
        // A key whose token_uri is plain http to another machine: the signed assertion is not sent.
        let plain = GCPFake.keyFile(tokenURI: "http://198.18.0.9/token")
        let (insecure, insecureGroup) = try makeMover(GCPProvider.self, options, environment: [testTokenVariable: plain])
        do {
            try await insecure.claim(insecureGroup, epoch: 1)
            Issue.record("a plain-http token_uri was used")
        } catch let problem as CredentialProblem {
            #expect(problem.message.hasPrefix("`token_uri` `http://198.18.0.9/token` is plain http to another machine"), "\(problem)")
        }
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("route mode: the route to another instance is deleted and inserted again pointing here; a peer's insert first is a conflict")
    func routeMode() async throws {
        let (server, fake, mover, group) = try await setUp { _ in
            ["alias_ip": "", "route": "vip-route", "destination": "10.200.0.50/32", "network": "default", "route_priority": "500"]
        }
        let toWeb2 = GCPFake.Route(destination: "10.200.0.50/32", network: "default", priority: 500, instance: "web2")
        fake.state.withLock { $0.routes["vip-route"] = toWeb2 }
        #expect(try await mover.holder(of: group) == .other("web2"))
        try await mover.claim(group, epoch: 1)
        let route = fake.state.withLock { $0.routes["vip-route"] }
        #expect(route == GCPFake.Route(destination: "10.200.0.50/32", network: "default", priority: 500, instance: "web1"))
        #expect(server.count("DELETE", "/global/routes/vip-route") == 1 && server.count("POST", "/global/routes") == 1)
        #expect(server.count("GET", "/global/operations/") == 4)
        #expect(try await mover.holder(of: group) == .this)
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "/global/routes") == 1, "a claim that is already true moves nothing")
        try await mover.release(group, epoch: 2)
        #expect(fake.state.withLock { $0.routes["vip-route"] } == nil)
        #expect(try await mover.holder(of: group) == .none)

        fake.state.withLock { $0.racingInsert = ("vip-route", toWeb2) }
        let error = await providerError { try await mover.claim(group, epoch: 3) }
        #expect(error?.kind == .conflict && error?.status == 409, "\(String(describing: error))")
        #expect(error?.message.contains("someone else inserted route vip-route first") == true)
        #expect(fake.state.withLock { $0.routes["vip-route"] } == toWeb2)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("check-config: the required options, the range, peer_instances, and an unknown option")
    func options() throws {
        func problems(_ options: [String: String]) throws -> [String] {
            let group = try cloudGroup(.gcp, options)
            return CloudMovers.problems(GCPProvider.self, group: group, credentials: true, environment: [:]).map(\.description)
        }
        let good = ["project": "p", "zone": "europe-west1-b", "instance": "web1", "alias_ip": "10.128.0.50"]
        #expect(try problems(good).isEmpty, "the metadata server needs no credential")
        #expect(try problems([:]).contains("mover.project: missing: set `project` (the project id)"))
        #expect(try problems(good.merging(["alias_ip": "10.128.0/33"]) { $1 })
            == ["mover.alias_ip: `10.128.0/33` is not an address or a range (`10.128.0.50/32`)"])
        #expect(try problems(good.merging(["peer_instances": "a/b/c"]) { $1 }) == ["mover.peer_instances: `a/b/c` is not `NAME` or `ZONE/NAME`"])
        #expect(try problems(good.merging(["key_file": "/nonexistent/key.json"]) { $1 })
            == ["mover.key_file: /nonexistent/key.json does not exist; it must hold the service-account key (JSON)"])
        #expect(try problems(good.merging(["metadata_endpoint": "http://169.254.169.254"]) { $1 }).isEmpty)
        #expect(try problems(good.merging(["metadata_endpoint": "metadata"]) { $1 })
            == ["mover.metadata_endpoint: `metadata` is not an http:// URL (the default is `http://metadata.google.internal`)"])
        #expect(try problems(good.merging(["zones": "x"]) { $1 }).first?.hasPrefix("mover.zones: unknown option for the `gcp` mover") == true)
        let route = ["project": "p", "zone": "europe-west1-b", "instance": "web1", "route": "vip", "destination": "10.200.0.50"]
        #expect(try problems(route) == ["mover.network: missing: set `network` (the VPC network of the route, e.g. `default`)"])
        #expect(try problems(route.merging(["network": "default", "alias_ip": "10.0.0.1"]) { $1 }).first?
            .hasPrefix("mover.alias_ip: set either `alias_ip`") == true)
        #expect(try problems(route.merging(["network": "default", "route_priority": "high"]) { $1 })
            == ["mover.route_priority: `high` is not a route priority (0 to 65535)"])
    }
}
