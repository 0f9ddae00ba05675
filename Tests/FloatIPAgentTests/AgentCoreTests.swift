import FloatIPCore
import Testing

@testable import FloatIPAgent

/// Two real agents (real clock, real codec, real engine) over an in-memory network with a
/// recording mover: the wiring between the pure core and the world.
@Suite struct AgentCoreTests {
    static let secret = Array("agent core test secret, 32 bytes!".utf8)

    func config(_ name: String, peer: String, priority: Int) -> ClusterConfig {
        ClusterConfig(
            cluster: "web", node: NodeConfig(name: name, address: .ipv4(198, 18, 0, name == "web1" ? 1 : 2)),
            peers: [PeerConfig(name: peer, address: .ipv4(198, 18, 0, peer == "web1" ? 1 : 2))],
            secretFile: "/etc/floatip/secret", timers: Timers(preemptDelay: .milliseconds(500)),
            groups: [
                GroupConfig(
                    name: "web", addresses: [IPPrefix(address: .ipv4(198, 18, 0, 100), length: 32)], interface: "eth0",
                    priority: priority)
            ],
            checks: [], api: APIConfig())
    }

    struct Pair {
        let network = InMemoryNetwork()
        let world = RecordingWorld()
        let web1: AgentCore
        let web2: AgentCore

        init(_ test: AgentCoreTests) throws {
            web1 = try AgentCore(
                config: test.config("web1", peer: "web2", priority: 200), secret: AgentCoreTests.secret, clock: SystemClock(),
                transport: network.endpoint("web1"), movers: ["web": world.mover("web1")])
            web2 = try AgentCore(
                config: test.config("web2", peer: "web1", priority: 100), secret: AgentCoreTests.secret, clock: SystemClock(),
                transport: network.endpoint("web2"), movers: ["web": world.mover("web2")])
        }

        func start() async {
            await web1.start()
            await web2.start()
        }

        func stop() async {
            await web1.stop()
            await web2.stop()
        }
    }

    /// Waits (bounded) until the group's holders are exactly `expected`; returns how long it took.
    func waitForHolders(_ world: RecordingWorld, _ expected: Set<String>, within limit: Duration = .seconds(3)) async -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            if world.holders("web") == expected { return clock.now - start }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    @Test func twoAgentsElectTheBetterRankedOne() async throws {
        let pair = try Pair(self)
        await pair.start()
        defer { Task { await pair.stop() } }
        #expect(await waitForHolders(pair.world, ["web1"]) != nil)
        try await Task.sleep(for: .milliseconds(200))
        #expect(pair.world.holders("web") == ["web1"])
        #expect(await pair.web2.roles().first?.reason == "web1 holds")
        #expect(await pair.web1.counters().rejected.isEmpty)
    }

    @Test func theStandbyTakesOverWhenTheHolderDies() async throws {
        let pair = try Pair(self)
        await pair.start()
        defer { Task { await pair.stop() } }
        #expect(await waitForHolders(pair.world, ["web1"]) != nil)
        // Host death: web1 falls silent and its addresses are gone.
        pair.network.cut("web1")
        await pair.web1.stop()
        pair.world.set("web", "web1", holding: false)
        let took = try #require(await waitForHolders(pair.world, ["web2"]))
        let timers = Timers()
        print("agent failover took \(took.shortDescription)")
        #expect(took < timers.interval * (timers.deadAfter + 2) + .milliseconds(200), "generous bound")
        #expect(await pair.web2.roles().first?.reason.hasPrefix("holder web1 silent for") == true)
    }

    @Test func maintenanceHandsOverWithoutAGap() async throws {
        let pair = try Pair(self)
        await pair.start()
        defer { Task { await pair.stop() } }
        #expect(await waitForHolders(pair.world, ["web1"]) != nil)
        await pair.web1.setMaintenance(true)
        #expect(await waitForHolders(pair.world, ["web2"]) != nil)
        #expect(!pair.world.everUnheld("web"), "make-before-break: never without a holder")
        #expect(await pair.web1.roles().first?.role == .maintenance)
        // Back from maintenance: failback after preempt_delay, again without a gap.
        await pair.web1.setMaintenance(false)
        #expect(await waitForHolders(pair.world, ["web1"]) != nil)
        #expect(!pair.world.everUnheld("web"))
    }

    @Test func switchoverMovesTheGroupAndReportsTheTarget() async throws {
        let pair = try Pair(self)
        await pair.start()
        defer { Task { await pair.stop() } }
        #expect(await waitForHolders(pair.world, ["web1"]) != nil)
        #expect(try await pair.web1.switchover(group: "web", to: nil) == "web2")
        #expect(await waitForHolders(pair.world, ["web2"]) != nil)
        #expect(!pair.world.everUnheld("web"))
        await #expect(throws: SwitchoverFailure.self) { try await pair.web1.switchover(group: "web", to: nil) }
    }

    @Test func statusShowsRolesHoldersPeersAndTransitions() async throws {
        let pair = try Pair(self)
        await pair.start()
        defer { Task { await pair.stop() } }
        #expect(await waitForHolders(pair.world, ["web1"]) != nil)
        try await Task.sleep(for: .milliseconds(50))
        let status = await pair.web2.status()
        #expect(status.node == "web2")
        #expect(status.groups.first?.role == "standby")
        #expect(status.groups.first?.holder == "web1")
        #expect(status.groups.first?.reason == "web1 holds")
        #expect(status.peers.first?.state == "alive")
        #expect((status.peers.first?.lastHeardMs ?? 1e9) < 100)
        #expect(status.transitions.last.map { "\($0.from)→\($0.to)" } == "starting→standby")
        #expect(status.counters.received > 0)
        let holder = await pair.web1.status()
        #expect(holder.groups.first?.holder == "web1")
        #expect(holder.groups.first?.term == 1)
        // web2 has nothing to say: it heartbeats every second (20 ms × 50); the holder every interval.
        #expect(holder.peers.first?.quietEveryMs == 1000)
        #expect(holder.peers.first?.state == "alive")
        #expect(status.peers.first?.quietEveryMs == nil)
    }
}
