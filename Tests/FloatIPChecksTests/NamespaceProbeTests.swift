import FloatIPChecks
import FloatIPCore
import Foundation
import Testing

/// Two namespaces joined by a veth pair: `a` (v0, 198.18.0.1/24) and `b` (v1, 198.18.0.2/24).
final class VethPair {
    let network = TestNetwork()
    let a: String
    let b: String

    init() throws {
        (a, b) = try network.vethPair()
        try network.ip(a, "addr", "add", "198.18.0.1/24", "dev", "v0")
        try network.ip(b, "addr", "add", "198.18.0.2/24", "dev", "v1")
    }
}

/// Runs `probe` until `done` holds for its result (every 50 ms, at most `limit`); the last result.
func runUntil(
    _ probe: any CheckProbe, limit: Duration = .seconds(3), _ done: (CheckResult) -> Bool
) async throws -> CheckResult {
    let deadline = ContinuousClock.now + limit
    var result = await probe.run()
    while !done(result), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
        result = await probe.run()
    }
    return result
}

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct PingProbeTests {
    @Test func aReplyPassesWithItsRoundTrip() async throws {
        let pair = try VethPair()
        let ping = try probe(check(.ping, "198.18.0.2"), namespace: pair.a)
        let result = try await runUntil(ping) { $0.passed }  // the first may wait for ARP
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail.hasPrefix("reply from 198.18.0.2 in ") && result.detail.hasSuffix(" ms"), "\(result.detail)")
        print("ping probe over a veth: \(result.detail), run took \(result.duration)")
    }

    @Test func silenceFailsAtTheTimeout() async throws {
        let pair = try VethPair()
        let ping = try probe(check(.ping, "198.18.0.77", timeout: .milliseconds(200)), namespace: pair.a)
        let result = await ping.run()
        #expect(!result.passed)
        #expect(result.detail == "no reply from 198.18.0.77 within 200 ms")
        #expect(result.duration >= .milliseconds(200) && result.duration < .milliseconds(700), "\(result.duration)")
    }

    @Test func aReplySlowerThanMaxRTTFails() async throws {
        let pair = try VethPair()
        let options = CheckOptions.ping(PingCheckOptions(maxRTT: .nanoseconds(1_000)))
        let ping = try probe(check(.ping, "198.18.0.2", options: options), namespace: pair.a)
        let result = try await runUntil(ping) { $0.detail.contains("over max_rtt") }
        #expect(!result.passed)
        #expect(result.detail.hasPrefix("reply from 198.18.0.2 in ") && result.detail.hasSuffix("over max_rtt 1 µs"),
                "\(result.detail)")
    }
}

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct InterfaceProbeTests {
    @Test func followsLinkEventsDownAndUp() async throws {
        let pair = try VethPair()
        let interface = try probe(check(.interface, "v0"), namespace: pair.a)
        var result = try await runUntil(interface) { $0.passed }
        #expect(result.passed && result.detail == "v0 is up and running", "\(result.detail)")

        try pair.network.ip(pair.a, "link", "set", "v0", "down")
        result = try await runUntil(interface) { !$0.passed }
        #expect(result.detail == "v0 is down")
        // Answers come from the watched state: a run takes microseconds, not a netlink round trip.
        #expect(result.duration < .milliseconds(5), "\(result.duration)")

        // The peer end down: v0 is up but has no carrier.
        try pair.network.ip(pair.b, "link", "set", "v1", "down")
        try pair.network.ip(pair.a, "link", "set", "v0", "up")
        result = try await runUntil(interface) { $0.detail != "v0 is down" }
        #expect(result.detail == "v0 is up but not running (no carrier)")

        try pair.network.ip(pair.b, "link", "set", "v1", "up")
        result = try await runUntil(interface) { $0.passed }
        #expect(result.passed && result.detail == "v0 is up and running")

        try pair.network.ip(pair.a, "link", "del", "v0")
        result = try await runUntil(interface) { !$0.passed }
        #expect(result.detail == "no interface named v0")
    }

    /// Through the scheduler, with a 1-hour interval: the link's events alone make the check run.
    @Test func aLinkChangeRunsTheCheckAtOnce() async throws {
        let pair = try VethPair()
        var config = check(.interface, "v0")
        config.interval = .seconds(3600)
        config.rise = 1
        config.fall = 1
        let scheduler = CheckScheduler(probes: [try probe(config, namespace: pair.a)])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        #expect(try await stateBecomes(.passing, scheduler))
        let down = ContinuousClock.now
        try pair.network.ip(pair.a, "link", "set", "v0", "down")
        #expect(try await stateBecomes(.failing, scheduler))
        #expect(ContinuousClock.now - down < .milliseconds(500), "\(ContinuousClock.now - down)")
        try pair.network.ip(pair.a, "link", "set", "v0", "up")
        #expect(try await stateBecomes(.passing, scheduler))
    }

    private func stateBecomes(_ state: Hysteresis.State, _ scheduler: CheckScheduler) async throws -> Bool {
        let limit = ContinuousClock.now + .seconds(3)
        while scheduler.states().first?.state != state {
            guard ContinuousClock.now < limit else { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    @Test func anInterfaceThatDoesNotExistFails() async throws {
        let pair = try VethPair()
        let result = try await probe(check(.interface, "nothere0"), namespace: pair.a).run()
        #expect(!result.passed && result.detail == "no interface named nothere0")
    }
}
