@testable import FloatIPCoordination
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// A client of `endpoints`.
func etcdClient(
    _ endpoints: [String], requestTimeout: Duration = .seconds(1), credentials: EtcdCredentials? = nil
) throws -> EtcdClient {
    try EtcdClient(settings: EtcdClientSettings(
        endpoints: endpoints, requestTimeout: requestTimeout, credentials: credentials))
}

/// Polls `condition` every 10 ms until it holds or `limit` passes; whether it held.
func eventually(within limit: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// The client against a real etcd: each request shape (an unknown field is silently ignored by
/// etcd, so only a real server proves them), rotation, authentication and failures.
@Suite(.serialized, .enabled(if: EtcdServer.runnable, .etcd))
struct EtcdClientTests {
    @Test func leaseAndKeyRoundTrip() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let client = try etcdClient([etcd.endpoint])
        let lease = try await client.grantLease(ttl: 30)
        #expect(lease.ttl == 30)
        #expect(lease.id > 1 << 53, "etcd's lease IDs exceed 2^53 (\(lease.id)): decoded exactly from a string")
        let created = try await client.createIfAbsent("/t/a", value: "node-1", lease: lease.id)
        guard case .created(let value) = created else {
            Issue.record("expected created, got \(created)")
            return
        }
        #expect(value.value == "node-1" && value.lease == lease.id && value.createRevision > 1)
        #expect(try await client.get("/t/a") == value)
        // Present: the transaction leaves it alone and says who holds it.
        let second = try await client.grantLease(ttl: 30)
        #expect(try await client.createIfAbsent("/t/a", value: "node-2", lease: second.id) == .exists(value))
        #expect(try await client.keepAlive(lease: lease.id) == 30)
        let left = try #require(try await client.timeToLive(lease: lease.id))
        #expect((28...30).contains(left))
        // Deleting needs the right create revision.
        #expect(try await client.delete("/t/a", ifCreatedAt: value.createRevision + 100) == false)
        #expect(try await client.get("/t/a") != nil)
        // Revoking deletes the attached key (the `lease` field really was applied), and answers change.
        try await client.revoke(lease: lease.id)
        #expect(try await client.get("/t/a") == nil)
        #expect(try await client.keepAlive(lease: lease.id) == nil, "a gone lease renews without a TTL")
        #expect(try await client.timeToLive(lease: lease.id) == nil)
        try await client.revoke(lease: lease.id)  // already gone: fine
        #expect(try await client.put("/t/b", value: "x") > 0)
        #expect(try await client.delete("/t/b") == 1)
        await client.shutdown()
    }

    @Test func watchSeesPutsAndDeletes() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let client = try etcdClient([etcd.endpoint])
        let start = try await client.put("/t/w", value: "one")
        let seen = FaultLog()
        let watcher = Task {
            try await client.watch("/t/w", fromRevision: start) { event in
                switch event {
                case .put(let value): await seen.record("put", value.value)
                case .delete(let key, _): await seen.record("delete", key)
                }
                return await seen.entries.count < 3
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        try await client.delete("/t/w")
        try await client.put("/t/w", value: "two")
        let ended = await eventually(within: .seconds(3)) { await seen.entries.count == 3 }
        #expect(ended)
        try await watcher.value
        let entries = await seen.entries.map { "\($0.group) \($0.reason ?? "")" }
        #expect(entries == ["put one", "delete /t/w", "put two"])
        await client.shutdown()
    }

    @Test func aDeadFirstEndpointIsRotatedAway() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let dead = "http://127.0.0.1:\(try Loopback.freePorts(1)[0])"
        let client = try etcdClient([dead, etcd.endpoint])
        let status = try await client.status()
        #expect(!status.version.isEmpty)
        #expect(await client.currentEndpoint == etcd.endpoint)
        _ = try await client.status()
        #expect(await client.currentEndpoint == etcd.endpoint, "the next call starts where the last one answered")
        await client.shutdown()
    }

    @Test func aSilentMemberTimesOutAndTheNextAnswers() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let silent = try FakeGateway(.silent)
        defer { silent.stop() }
        let client = try etcdClient([silent.endpoint, etcd.endpoint], requestTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        _ = try await client.status(timeout: .seconds(2))
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(250) && took < .seconds(1), "one attempt's timeout, then the next: \(took)")
        await client.shutdown()
    }

    @Test func anUnreachableEtcdFailsFastWithTheEndpointAndCall() async throws {
        let dead = "http://127.0.0.1:\(try Loopback.freePorts(1)[0])"
        let client = try etcdClient([dead])
        let started = ContinuousClock.now
        do {
            _ = try await client.grantLease(ttl: 5)
            Issue.record("granted a lease from nothing")
        } catch let error as EtcdError {
            #expect(error.endpoint == dead)
            #expect(error.description.contains("lease/grant"), "\(error)")
            #expect(error.description.contains("unreachable"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        await client.shutdown()
    }

    @Test(arguments: [
        (200, "not json at all", "not JSON"),
        (200, "{\"ID\": 1.5e300, \"TTL\": \"5\"}", "out of range or of the wrong kind"),
        (200, "{\"ID\": 4111120274922232837, \"TTL\": true}", "`.TTL`"),
        (200, "{\"ID\": \"12x\", \"TTL\": \"5\"}", "is not a whole number that fits Int64"),
        (200, "{\"TTL\": \"5\"}", "no lease `ID`"),
        (200, "[1, 2]", "wrong type"),
        (503, "{\"error\":\"etcdserver: no leader\",\"message\":\"etcdserver: no leader\",\"code\":14}", "no leader"),
        (400, "{\"message\":\"etcdserver: requested lease not found\",\"code\":5}", "lease not found"),
    ])
    func malformedAndErrorAnswersAreTypedErrors(status: Int, body: String, fragment: String) async throws {
        let fake = try FakeGateway(.answer(status: status, body: body))
        defer { fake.stop() }
        let client = try etcdClient([fake.endpoint])
        do {
            let lease = try await client.grantLease(ttl: 5)
            Issue.record("accepted \(body) as lease \(lease)")
        } catch let error as EtcdError {
            #expect(error.description.contains(fragment), "\(error)")
            #expect(error.description.contains(fake.endpoint) && error.description.contains("lease/grant"))
        }
        await client.shutdown()
    }

    @Test func authenticationWithTheGateway() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let admin = try etcdClient([etcd.endpoint])
        try await enableAuth(admin, rootPassword: "root-secret-1")
        await admin.shutdown()

        let anonymous = try etcdClient([etcd.endpoint])
        await #expect(throws: EtcdError.self) { try await anonymous.put("/t/x", value: "y") }
        await anonymous.shutdown()

        let wrong = try etcdClient([etcd.endpoint], credentials: EtcdCredentials(user: "root", password: "wrong-pw-2"))
        do {
            try await wrong.put("/t/x", value: "y")
            Issue.record("a wrong password was accepted")
        } catch let error as EtcdError {
            guard case .authenticationFailed(_, let user, let message) = error else {
                Issue.record("expected authenticationFailed, got \(error)")
                return
            }
            #expect(user == "root" && message.contains("authentication failed"), "\(error)")
            #expect(!error.description.contains("wrong-pw-2"), "the password never appears: \(error)")
        }
        await wrong.shutdown()

        let right = try etcdClient([etcd.endpoint], credentials: EtcdCredentials(user: "root", password: "root-secret-1"))
        #expect(try await right.put("/t/x", value: "y") > 0)
        #expect(try await right.get("/t/x")?.value == "y")
        // A token etcd no longer knows (expired, or etcd restarted) is replaced transparently.
        await right.replaceTokenForTesting("not-a-token")
        #expect(try await right.get("/t/x")?.value == "y")
        await right.shutdown()
    }
}

/// Creates root (with the root role) and enables authentication, through the gateway.
func enableAuth(_ client: EtcdClient, rootPassword: String) async throws {
    struct User: Encodable, Sendable { var name: String; var password: String }
    struct Role: Encodable, Sendable { var name: String }
    struct Grant: Encodable, Sendable { var user: String; var role: String }
    _ = try await client.call("auth/user/add", User(name: "root", password: rootPassword), as: EtcdIgnoredAnswer.self)
    _ = try await client.call("auth/role/add", Role(name: "root"), as: EtcdIgnoredAnswer.self)
    _ = try await client.call("auth/user/grant", Grant(user: "root", role: "root"), as: EtcdIgnoredAnswer.self)
    _ = try await client.call("auth/enable", EmptyRequest(), as: EtcdIgnoredAnswer.self)
}
