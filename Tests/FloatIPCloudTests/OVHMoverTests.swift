import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `ovh` mover against `OVHFake` on 127.0.0.1 (its clock two hours off ours).
@Suite("OVHcloud mover")
struct OVHMoverTests {
    static let block = "203.0.113.5/32"

    func setUp(routedTo holder: String? = "ns2.example.eu", _ extra: [String: String] = [:])
        async throws -> (FakeProviderServer, OVHFake, any Mover & MoverTelemetrySource, GroupConfig)
    {
        let fake = OVHFake(routed: [Self.block: holder], services: ["ns1.example.eu", "ns2.example.eu"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        var options = [
            "ip": "203.0.113.5", "service_name": "ns1.example.eu", "application_key": OVHFake.applicationKey,
            "application_secret_env": testTokenVariable, "consumer_key_env": "FLOATIP_TEST_CONSUMER",
            "endpoint": server.baseURL + "/1.0", "poll_interval": "10ms", "claim_timeout": "5s",
        ]
        options.merge(extra) { $1 }
        let (mover, group) = try makeMover(
            OVHProvider.self, options,
            environment: [testTokenVariable: OVHFake.secret, "FLOATIP_TEST_CONSUMER": OVHFake.consumer])
        return (server, fake, mover, group)
    }

    @Test("the signature matches python-ovh's for a known request")
    func signature() {
        // hashlib.sha1("+".join([AS, CK, "GET", URL, "", TS]).encode()).hexdigest(), computed by hand with Python.
        let signature = OVHProvider.signature(
            secret: "EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF", consumer: "MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1", method: "GET",
            url: "https://eu.api.ovh.com/1.0/ip/203.0.113.5%2F32", body: "", timestamp: "1457018875")
        #expect(signature == "$1$" + OVHMoverTests.pythonSHA1)
    }

    /// `python3 -c 'import hashlib;print(hashlib.sha1(b"EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF+MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1+GET+https://eu.api.ovh.com/1.0/ip/203.0.113.5%2F32++1457018875").hexdigest())'`
    static let pythonSHA1 = "5310fbec9e0ded39fbfa8b6057b2d0ad5779e807"

    @Test("claim asks the server's time once, moves the IP and polls the task until done; holder follows; release leaves it")
    func claim() async throws {
        let (server, fake, mover, group) = try await setUp()
        #expect(try await mover.holder(of: group) == .other("ns2.example.eu"))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        print("ovh: claim against the fake (task done on the third poll, 10 ms apart) took \(ContinuousClock.now - start)")
        #expect(fake.service(Self.block) == "ns1.example.eu")
        let move = try #require(server.requests.first { $0.method == "POST" })
        #expect(move.path == "/1.0/ip/203.0.113.5%2F32/move" && move.json?["to"] as? String == "ns1.example.eu")
        #expect(server.count("GET", "/task/") == 3)
        #expect(server.count("GET", "/auth/time") == 1)
        #expect(try await mover.holder(of: group) == .this)
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "/move") == 1, "a claim that is already true moves nothing")
        try await mover.release(group, epoch: 2)
        #expect(fake.service(Self.block) == "ns1.example.eu", "no detach")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a move already pending (a claim cut short, a move by hand) is waited for before the claim's own")
    func pendingMove() async throws {
        // The last claim's move to ns1 is still pending: this claim waits for it instead of starting another.
        let (server, fake, mover, group) = try await setUp(routedTo: "ns2.example.eu")
        fake.state.withLock { $0.tasks[99] = OVHFake.Task(block: Self.block, to: "ns1.example.eu", status: "todo", polls: 0) }
        try await mover.claim(group, epoch: 1)
        #expect(fake.service(Self.block) == "ns1.example.eu")
        #expect(server.count("GET", "/task/99") == 3)
        #expect(server.count("POST", "/move") == 0, "the pending move did it")
        // A pending move elsewhere (by hand) is waited for too, then the claim moves it back.
        fake.state.withLock { $0.tasks[100] = OVHFake.Task(block: Self.block, to: "ns2.example.eu", status: "todo", polls: 0) }
        fake.state.withLock { $0.routed[Self.block] = "ns2.example.eu" }
        try await mover.claim(group, epoch: 2)
        #expect(server.count("GET", "/task/100") == 3)
        #expect(server.count("POST", "/move") == 1)
        #expect(fake.service(Self.block) == "ns1.example.eu")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("a task ending in ovhError, an unknown IP and an unknown service are errors with OVH's message")
    func failures() async throws {
        let (server, fake, mover, group) = try await setUp()
        fake.state.withLock { $0.failNext = "ovhError" }
        let failed = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(failed?.kind == .actionFailed)
        #expect(failed?.message == "the action ended in `ovhError`: Move failed on the routing equipment")
        #expect(fake.service(Self.block) == "ns2.example.eu")

        var options = group.mover.options
        options["ip"] = "203.0.113.9"
        let (unknown, unknownGroup) = try makeMover(
            OVHProvider.self, options, environment: [testTokenVariable: OVHFake.secret, "FLOATIP_TEST_CONSUMER": OVHFake.consumer])
        let notFound = await providerError { try await unknown.claim(unknownGroup, epoch: 1) }
        #expect(notFound?.status == 404 && notFound?.message == "OBJECT_NOT_FOUND: The requested object (ip = 203.0.113.9/32) does not exist (check `ip`)")

        options["ip"] = "203.0.113.5"
        options["service_name"] = "ns9.example.eu"
        let (stranger, strangerGroup) = try makeMover(
            OVHProvider.self, options, environment: [testTokenVariable: OVHFake.secret, "FLOATIP_TEST_CONSUMER": OVHFake.consumer])
        let refused = await providerError { try await stranger.claim(strangerGroup, epoch: 1) }
        #expect(refused?.message == "INVALID_ARGUMENT: Destination server ns9.example.eu is not compatible")
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("check-config: required options, api names, api with endpoint, both credentials")
    func options() throws {
        func problems(_ options: [String: String]) throws -> [String] {
            CloudMovers.problems(OVHProvider.self, group: try cloudGroup(.ovh, options), credentials: false).map(\.description)
        }
        let good = [
            "ip": "203.0.113.5", "service_name": "ns1.example.eu", "application_key": "k",
            "application_secret_env": "OVH_AS", "consumer_key_env": "OVH_CK", "api": "ovh-ca",
        ]
        #expect(try problems(good).isEmpty)
        #expect(try problems(good.merging(["api": "ovh-de"]) { $1 }) == ["mover.api: `ovh-de` is not one of ovh-ca, ovh-eu, ovh-us"])
        #expect(try problems(good.merging(["endpoint": "https://eu.api.ovh.com/1.0"]) { $1 })
            == ["mover.api: set either `api` (ovh-eu, ovh-ca, ovh-us) or `endpoint` (a URL), not both"])
        #expect(try problems(good.filter { $0.key != "consumer_key_env" }).first?
            .hasPrefix("mover.consumer_key_file: missing") == true)
        #expect(try problems(good.merging(["ip": "203.0.113"]) { $1 })
            == ["mover.ip: `203.0.113` is not an address or a block (`203.0.113.5`, `203.0.113.0/30`)"])
    }
}
