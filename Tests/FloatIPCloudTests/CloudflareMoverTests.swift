import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `cloudflare` mover against `CloudflareFake` on 127.0.0.1.
@Suite("Cloudflare mover")
struct CloudflareMoverTests {
    static let name = "www.example.com"

    /// A fake holding `records` and a mover publishing `address` (this node) for `www.example.com`.
    func setUp(
        _ records: [(type: String, name: String, content: String)], address: String = "198.51.100.1",
        options extra: [String: String] = [:], token: String = CloudflareFake.token, lines: ReportedLines = ReportedLines()
    ) async throws -> (FakeProviderServer, CloudflareFake, any Mover & MoverTelemetrySource, GroupConfig) {
        let fake = CloudflareFake(records: records)
        let server = try await FakeProviderServer.start { fake.handle($0) }
        var options = [
            "zone_id": CloudflareFake.zone, "name": Self.name, "address": address, "ttl": "60",
            "token_env": testTokenVariable, "endpoint": server.baseURL, "claim_timeout": "5s", "request_timeout": "2s",
        ]
        options.merge(extra) { $1 }
        let (mover, group) = try makeMover(
            CloudflareProvider.self, options, environment: [testTokenVariable: token], lines: lines)
        return (server, fake, mover, group)
    }

    @Test("claim PATCHes the A record from the other node's address to ours, logs who had it, then is idempotent")
    func claimPatches() async throws {
        let lines = ReportedLines()
        let (server, fake, mover, group) = try await setUp([("A", Self.name, "198.51.100.2")], lines: lines)
        #expect(try await mover.holder(of: group) == .other("198.51.100.2"))
        try await mover.claim(group, epoch: 4)
        #expect(fake.contents("A", Self.name) == ["198.51.100.1"])
        #expect(fake.record("A", Self.name)?.ttl == 60)
        #expect(server.count("PATCH", "/dns_records/") == 1)
        let patch = try #require(server.requests.first { $0.method == "PATCH" })
        #expect(patch.json?["content"] as? String == "198.51.100.1" && patch.json?["ttl"] as? Int == 60)
        #expect(patch.json?.count == 2, "only content and ttl change: \(patch.text)")
        #expect(patch.header("Authorization") == "Bearer \(CloudflareFake.token)")
        #expect(lines.all.contains { $0.contains("routes \(Self.name) to 198.51.100.2") && $0.contains("term 4") })
        let telemetry = mover.telemetry()
        #expect(telemetry.lastCall == "PATCH /client/v4/zones/\(CloudflareFake.zone)/dns_records/\(fake.record("A", Self.name)?.id ?? "")")
        #expect(telemetry.providerHolder == "198.51.100.1" && telemetry.providerHoldsHere == true)
        #expect(telemetry.answer == "HTTP 200")
        // Already pointing here: one lookup, no write.
        let calls = mover.telemetry().calls
        try await mover.claim(group, epoch: 5)
        #expect(mover.telemetry().calls == calls + 1)
        #expect(fake.state.withLock { $0.writes } == 1)
        #expect(try await mover.holder(of: group) == .this)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("claim creates the records with POST when the name has none (A and AAAA), holder reads both")
    func claimCreates() async throws {
        let (server, fake, mover, group) = try await setUp([], address: "198.51.100.1, 2001:db8::1")
        #expect(try await mover.holder(of: group) == .none)
        try await mover.claim(group, epoch: 1)
        #expect(fake.contents("A", Self.name) == ["198.51.100.1"])
        #expect(fake.contents("AAAA", Self.name) == ["2001:db8::1"])
        let post = try #require(server.requests.first { $0.method == "POST" })
        #expect(post.json?["type"] as? String == "A" && post.json?["name"] as? String == Self.name)
        #expect(post.json?["proxied"] as? Bool == false)
        #expect(try await mover.holder(of: group) == .this)
        #expect(mover.telemetry().providerHolder == "198.51.100.1, 2001:db8::1")
        // Another node takes only the A record: the holder is no longer this node, the claim PATCHes only A.
        fake.set("A", Self.name, to: "198.51.100.2")
        #expect(try await mover.holder(of: group) == .other("198.51.100.2, 2001:db8::1"))
        try await mover.claim(group, epoch: 2)
        #expect(server.count("PATCH", "/dns_records/") == 1 && server.count("POST", "/dns_records") == 2)
        #expect(fake.contents("A", Self.name) == ["198.51.100.1"])
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }

    @Test("release writes nothing and says the record stays until the next holder rewrites it")
    func releaseKeeps() async throws {
        let lines = ReportedLines()
        let (server, fake, mover, group) = try await setUp([("A", Self.name, "198.51.100.1")], lines: lines)
        try await mover.release(group, epoch: 1)
        #expect(fake.contents("A", Self.name) == ["198.51.100.1"])
        #expect(fake.state.withLock { $0.writes } == 0)
        #expect(lines.all.contains { $0.contains("no detach") && $0.contains(Self.name) }, "\(lines.all)")
        #expect(server.requests.allSatisfy { $0.method == "GET" })
        await server.stop()
    }

    @Test("429 with Retry-After is waited for, then the claim goes through")
    func rateLimited() async throws {
        let (server, fake, mover, group) = try await setUp([("A", Self.name, "198.51.100.2")])
        server.inject(FakeFault(method: "PATCH", response: CloudflareFake.failure(
            429, [(971, "Please wait and consider throttling your request speed")], headers: [("Retry-After", "1")])))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        #expect(seconds(since: start) >= 1.0, "Retry-After: 1 was honoured")
        #expect(fake.contents("A", Self.name) == ["198.51.100.1"])
        #expect(server.count("PATCH", "/dns_records/") == 2)
        #expect(mover.telemetry().retries == 1)
        await server.stop()
    }

    @Test("a bad token: Cloudflare's 403 code 10000 is reported, the token is not")
    func badToken() async throws {
        let wrong = "wrong-token-value-0123456789"
        let (server, fake, mover, group) = try await setUp([("A", Self.name, "198.51.100.2")], token: wrong)
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.status == 403 && error?.kind == .rejected)
        #expect(error?.message == "code 10000: Authentication error")
        #expect(error?.description.contains(wrong) == false)
        #expect(mover.telemetry().lastError?.contains("code 10000") == true)
        #expect(server.requests.count == 1, "a 4xx is not retried")
        #expect(fake.contents("A", Self.name) == ["198.51.100.2"])
        await server.stop()
    }

    @Test("an unknown zone: Cloudflare's codes 7003 and 7000 are both reported")
    func unknownZone() async throws {
        let (server, _, mover, group) = try await setUp([], options: ["zone_id": "ffffffffffffffffffffffffffffffff"])
        let error = await providerError { _ = try await mover.holder(of: group) }
        #expect(error?.status == 400)
        #expect(error?.message.contains("code 7003: Could not route") == true)
        #expect(error?.message.contains("code 7000: No route for that URI") == true)
        await server.stop()
    }

    @Test("malformed JSON and an envelope without success are errors that say so")
    func malformed() async throws {
        let (server, _, mover, group) = try await setUp([("A", Self.name, "198.51.100.2")])
        server.inject(FakeFault(method: "GET", response: .raw(200, #"{"success": true, "result": [{"id": "#)))
        let broken = await providerError { _ = try await mover.holder(of: group) }
        #expect(broken?.kind == .malformed && broken?.message.contains("not JSON") == true)
        server.inject(FakeFault(method: "GET", response: .json(200, ["success": true, "result": [["id": "x"]]])))
        let missing = await providerError { _ = try await mover.holder(of: group) }
        #expect(missing?.kind == .malformed && missing?.message.contains("content") == true, "\(String(describing: missing))")
        server.inject(FakeFault(method: "GET", response: CloudflareFake.failure(200, [(1000, "odd")])))
        let unsuccessful = await providerError { _ = try await mover.holder(of: group) }
        #expect(unsuccessful?.message.contains("code 1000: odd") == true)
        #expect(try await mover.holder(of: group) == .other("198.51.100.2"))
        await server.stop()
    }

    @Test("several A records for the name: the claim refuses instead of picking one")
    func severalRecords() async throws {
        let (server, fake, mover, group) = try await setUp([("A", Self.name, "198.51.100.2"), ("A", Self.name, "198.51.100.3")])
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.message.contains("several A records") == true)
        #expect(fake.state.withLock { $0.writes } == 0)
        await server.stop()
    }

    @Test("option problems are named by key; the node's address is the default")
    func options() throws {
        func problems(_ options: [String: String], node: IPAddress? = nil) throws -> [String] {
            let group = try cloudGroup(.cloudflare, options)
            return CloudMovers.problems(CloudflareProvider.self, group: group, credentials: false, nodeAddress: node)
                .map(\.description)
        }
        let good = ["zone_id": CloudflareFake.zone, "name": Self.name, "token_env": testTokenVariable]
        #expect(try problems(good, node: IPAddress("198.51.100.1")).isEmpty)
        #expect(try problems(good) == ["mover.address: missing: the address to publish (the node's own address is not known here)"])
        var bad = good
        bad["ttl"] = "10"
        bad["address"] = "198.51.100.1, 198.51.100.2"
        bad["name"] = "www..example.com"
        bad["zone"] = "example.com"
        let found = try problems(bad)
        #expect(found.contains { $0.hasPrefix("mover.ttl: `10` is not a TTL here; write whole seconds: 1, 30 to 86400") })
        #expect(found.contains { $0.hasPrefix("mover.address: one address per family") })
        #expect(found.contains { $0.hasPrefix("mover.name: `www..example.com` is not a domain name") })
        #expect(found.contains { $0.hasPrefix("mover.zone: unknown option for the `cloudflare` mover") })
        var noToken = good
        noToken["token_env"] = nil
        #expect(try problems(noToken, node: IPAddress("198.51.100.1")).first?.hasPrefix("mover.token_file") == true)
    }
}
