import FloatIPAgent
import FloatIPAssembly
import FloatIPCoordination
import FloatIPCore
import FloatIPLinux
import FloatIPTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// `AgentAssembly.build`: the agent's services put together from a config, without root and
/// without running them (the local mover's routing socket opens unprivileged; nothing is claimed).
@Suite struct AgentAssemblyTests {
    /// The LAN config on a free loopback port, fenced by an etcd on another free port where none
    /// listens: the fenced mover can never claim, so the address never reaches lo.
    static func etcdConfig(in workspace: Workspace) throws -> ClusterConfig {
        let port = try #require(Loopback.freePort())
        let etcd = try #require(Loopback.freePort())
        return try workspace.config(workspace.yaml(port: port, extra: """
            coordination: { kind: etcd, endpoints: ["http://127.0.0.1:\(etcd)"] }

            """))
    }

    /// The services' type names, in the order they start.
    static func names(_ agent: AssembledAgent) -> [String] {
        agent.services.map { String(describing: type(of: $0)) }
    }

    @Test("a LAN config: the services in their start order, the address keeper among them, the API listening")
    func lanConfig() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let port = try #require(Loopback.freePort())
        let config = try workspace.config(workspace.yaml(port: port))
        let log = LogCapture()
        let agent = try await AgentAssembly.build(
            config: config, secret: Array("0123456789abcdef".utf8), logger: log.logger, environment: [:])
        #expect(Self.names(agent) == [
            "TransportService", "HookService", "AddressKeeperService", "CheckService", "APIService", "AgentService",
            "ReconcilerService",
        ])
        #expect(agent.movers.movers["web"] is LocalMover)
        #expect(agent.movers.coordination == nil)
        #expect(FileManager.default.fileExists(atPath: workspace.path("api.sock")), "the API listens before the agent runs")
        let starting = log.messages.first { $0.hasPrefix("starting: ") } ?? ""
        #expect(starting.hasPrefix("starting: cluster web, 1 peer(s), 1 group(s), 0 check(s) + link lo; listening on "
            + "127.0.0.1 port \(port); API on \(workspace.path("api.sock")) (no TCP: api.listen off); boot id "), "\(log.messages)")
        #expect(starting.contains("(\(workspace.path("state"))/"), "the boot record in state_dir: \(starting)")
        await agent.discard()
    }

    @Test("an etcd config: every mover fenced by its group's election, coordination kept for the shutdown")
    func etcdConfig() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let config = try Self.etcdConfig(in: workspace)
        let agent = try await AgentAssembly.build(
            config: config, secret: Array("0123456789abcdef".utf8), logger: LogCapture().logger, environment: [:])
        #expect(agent.movers.movers["web"] is EtcdFencedMover)
        #expect(agent.movers.coordination != nil)
        #expect(agent.movers.local != nil, "the fenced local mover's keeper still runs")
        #expect(Self.names(agent).contains("AddressKeeperService"))
        await agent.discard()
    }

    @Test("a failure names its cause and leaves nothing open: the same port binds again")
    func failureClosesWhatItOpened() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let port = try #require(Loopback.freePort())
        let token = try workspace.write("token", "tiny\n")
        let yaml = workspace.yaml(port: port)
        let withToken = yaml.replacingOccurrences(of: "listen: \"off\" }", with: "listen: \"off\", token_file: \(token) }")
        let secret = Array("0123456789abcdef".utf8)
        do {
            let agent = try await AgentAssembly.build(
                config: try workspace.config(withToken), secret: secret, logger: LogCapture().logger, environment: [:])
            await agent.discard()
            Issue.record("a 4-byte token was accepted")
        } catch let error as AgentAssemblyError {
            #expect(error.description == "api.token_file \(token): holds 4 bytes; at least 16 are needed")
        }
        let agent = try await AgentAssembly.build(
            config: try workspace.config(yaml), secret: secret, logger: LogCapture().logger, environment: [:])
        await agent.discard()
    }

    @Test("a check that cannot be set up stops the assembly with the checks' message, the peer socket closed")
    func checkSetupFailure() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let port = try #require(Loopback.freePort())
        let yaml = workspace.yaml(port: port, extra: """
            checks:
              - { name: gateway, kind: ping, target: 127.0.0.1 }

            """)
        var config = try workspace.config(yaml)
        // The parser refuses such a target; a config built by hand may hold one.
        config.checks[0].target = "not-an-address"
        let secret = Array("0123456789abcdef".utf8)
        do {
            let agent = try await AgentAssembly.build(
                config: config, secret: secret, logger: LogCapture().logger, environment: [:])
            await agent.discard()
            Issue.record("a ping check without an address was set up")
        } catch let error as AgentAssemblyError {
            #expect(error.description == "cannot set up the checks: check gateway: `not-an-address` is not a target for a ping check")
        }
        let again = try await AgentAssembly.build(
            config: try workspace.config(workspace.yaml(port: port)), secret: secret, logger: LogCapture().logger, environment: [:])
        await again.discard()
    }

    @Test("it runs unprivileged on loopback and stops in order when asked: the etcd fence keeps it from claiming")
    func runsAndStops() async throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let config = try Self.etcdConfig(in: workspace)
        let log = LogCapture()
        let agent = try await AgentAssembly.build(
            config: config, secret: Array("0123456789abcdef".utf8), logger: log.logger, environment: [:])
        let clock = ContinuousClock()
        let started = clock.now
        await agent.run(stoppingOn: {
            try? await Task.sleep(for: .milliseconds(500))
            return "TEST"
        })
        #expect(clock.now - started < .seconds(20), "the graceful bound is handover + hooks + 5 s")
        let messages = log.messages
        #expect(messages.contains("TEST: stopping"), "\(messages)")
        #expect(messages.last == "stopped", "\(messages)")
        #expect(!messages.contains { $0.hasPrefix("stopped by an error") }, "\(messages)")
        #expect(await agent.agent.roles().allSatisfy { $0.role != .holder })
    }
}
