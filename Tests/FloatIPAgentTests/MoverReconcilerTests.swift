import FloatIPCore
import FloatIPTestSupport
import Synchronization
import Testing

@testable import FloatIPAgent

/// The reconcile loop: a provider that drifts (someone moved the address by hand) while this node
/// holds the group gets the address claimed back, and status and metrics show the mover's telemetry.
@Suite struct MoverReconcilerTests {
    /// A provider as a mover: it routes the address to one target, which anyone may change.
    final class DriftingProvider: Mover, MoverTelemetrySource {
        let routed = Mutex<String?>(nil)
        let claims = Mutex(0)
        let drifts = Mutex(0)

        func claim(_ group: GroupConfig, epoch: UInt64) async throws {
            routed.withLock { $0 = "me" }
            claims.withLock { $0 += 1 }
        }
        func release(_ group: GroupConfig, epoch: UInt64) async throws { routed.withLock { if $0 == "me" { $0 = nil } } }
        func announce(_ group: GroupConfig) async throws {}
        func holder(of group: GroupConfig) async throws -> MoverHolder {
            switch routed.withLock({ $0 }) {
            case "me": .this
            case nil: .none
            case let other: .other(other)
            }
        }
        func telemetry() -> MoverTelemetry {
            var telemetry = MoverTelemetry(kind: "digitalocean")
            telemetry.providerHolder = routed.withLock { $0 }
            telemetry.providerHoldsHere = telemetry.providerHolder == "me"
            telemetry.drifts = drifts.withLock { $0 }
            telemetry.latencyMs = 12
            return telemetry
        }
        func noteDrift() { drifts.withLock { $0 += 1 } }
    }

    func config() -> ClusterConfig {
        ClusterConfig(
            cluster: "web", node: NodeConfig(name: "web1", address: .ipv4(198, 18, 0, 1)),
            peers: [PeerConfig(name: "web2", address: .ipv4(198, 18, 0, 2))], secretFile: "/etc/floatip/secret",
            timers: Timers(),
            groups: [
                GroupConfig(
                    name: "web", addresses: [IPPrefix(address: .ipv4(198, 18, 0, 100), length: 32)], interface: nil,
                    mover: MoverConfig(kind: .digitalocean), priority: 200)
            ],
            checks: [], api: APIConfig())
    }

    func waitUntil(_ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < .seconds(5) {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func aDriftedProviderIsClaimedBackAndShown() async throws {
        let provider = DriftingProvider()
        let network = InMemoryNetwork()
        let agent = try AgentCore(
            config: config(), secret: Array("reconciler test secret, 32 bytes".utf8), clock: SystemClock(),
            transport: network.endpoint("web1"), movers: ["web": provider])
        await agent.start()
        let notes = LogCapture()
        let reconciler = Task {
            await MoverReconciler(agent: agent, intervals: ["web": .milliseconds(100)], logger: notes.logger).run()
        }
        #expect(await waitUntil { provider.claims.withLock { $0 } == 1 })
        // Quiet while the provider agrees.
        try await Task.sleep(for: .milliseconds(350))
        #expect(provider.claims.withLock { $0 } == 1)
        provider.routed.withLock { $0 = "intruder" }
        #expect(await waitUntil { provider.claims.withLock { $0 } == 2 })
        #expect(provider.routed.withLock { $0 } == "me")
        #expect(notes.levels(containing: "routes it to intruder while this node holds it") == [.warning])
        let status = await agent.status()
        let mover = try #require(status.groups.first?.mover)
        #expect(mover.drifts == 1 && mover.providerHoldsHere == true && mover.kind == "digitalocean")
        let metrics = MetricsExposition.render(status, AgentMetrics.Snapshot())
        #expect(metrics.contains("floatip_mover_drifts_total{group=\"web\",kind=\"digitalocean\"} 1"))
        #expect(metrics.contains("floatip_mover_provider_holds_here{group=\"web\",kind=\"digitalocean\"} 1"))
        #expect(metrics.contains("floatip_mover_last_call_seconds{group=\"web\",kind=\"digitalocean\"} 0.012"))
        // Not the holder: no reconciling.
        await agent.setMaintenance(true)
        try await Task.sleep(for: .milliseconds(100))
        provider.routed.withLock { $0 = "intruder" }
        try await Task.sleep(for: .milliseconds(350))
        #expect(provider.routed.withLock { $0 } == "intruder")
        reconciler.cancel()
        await reconciler.value
        await agent.stop()
    }
}
