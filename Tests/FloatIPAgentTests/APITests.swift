import FloatIPCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FloatIPAgent

/// The HTTP API over two real agents on the in-memory network, built by `makeAPIApplication`
/// exactly as the daemon builds it, and driven through Hummingbird's router test client.
@Suite struct APITests {
    static let token = "api test token 0123456789"

    /// Two started agents with web1 holding `web`, and web1's event log in a fresh directory.
    struct Fixture {
        let pair: AgentCoreTests.Pair
        let directory: URL
        let eventLog: EventLog

        init() throws {
            pair = try AgentCoreTests.Pair(AgentCoreTests())
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-api-\(UUID().uuidString)")
            eventLog = EventLog(path: directory.appendingPathComponent("events.jsonl").path, node: "web1")
        }

        func start() async throws {
            await pair.start()
            let held = await AgentCoreTests().waitForHolders(pair.world, ["web1"])
            try #require(held != nil, "web1 never became the holder")
        }

        func stop() async {
            await pair.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        func app(_ agent: AgentCore? = nil, token: String? = APITests.token) -> some ApplicationProtocol {
            makeAPIApplication(agent: agent ?? pair.web1, api: APIConfig(listenPort: 0), token: token, eventLog: eventLog)
        }

        func events() -> [[String: Any]] {
            let text = (try? String(contentsOf: directory.appendingPathComponent("events.jsonl"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let authorized: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

    static func errorText(_ response: TestResponse) -> String {
        (try? JSONDecoder().decode(APIErrorResponse.self, from: Data(response.body.readableBytesView)))?.error ?? ""
    }

    @Test func statusIsTheAgentSnapshotAsJSON() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let status = try JSONDecoder().decode(AgentStatus.self, from: Data(response.body.readableBytesView))
                #expect(status.node == "web1")
                #expect(status.groups.first?.role == "holder")
                #expect(status.groups.first?.holder == "web1")
                #expect(status.peers.first?.name == "web2")
                #expect(status.build == BuildInfo.current)
                #expect(status.build?.version == BuildInfo.version)
                let uptime = try #require(status.uptimeMs)
                #expect(uptime >= (status.transitions.last?.atMs ?? 0), "transitions happened before now")
            }
        }
        await fixture.stop()
    }

    @Test func maintenanceWithoutTheTokenIs401AndChangesNothing() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        try await fixture.app().test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer wrong token 0123456789"], [.authorization: "Basic abc"]] {
                try await client.execute(uri: "/v1/maintenance", method: .post, headers: headers, body: Self.body(#"{"on": true}"#)) {
                    #expect($0.status == .unauthorized)
                    #expect($0.headers[.wwwAuthenticate] == "Bearer")
                }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await fixture.pair.web1.roles().first?.role == .holder)
        #expect(fixture.pair.world.holders("web") == ["web1"])
        #expect(fixture.events().isEmpty, "refused requests are not operator commands")
        await fixture.stop()
    }

    @Test func maintenanceWithTheTokenMovesTheGroupAndIsLogged() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/maintenance", method: .post, headers: Self.authorized, body: Self.body(#"{"on": true, "group": "web"}"#)
            ) { response in
                #expect(response.status == .ok)
                let answer = try JSONDecoder().decode(MaintenanceResponse.self, from: Data(response.body.readableBytesView))
                #expect(answer == MaintenanceResponse(on: true, group: "web"))
            }
        }
        #expect(await AgentCoreTests().waitForHolders(fixture.pair.world, ["web2"]) != nil)
        #expect(await fixture.pair.web1.roles().first?.role == .maintenance)
        let logged = try #require(fixture.events().first)
        #expect(logged["event"] as? String == "maintenance")
        #expect(logged["on"] as? Bool == true)
        #expect(logged["group"] as? String == "web")
        #expect(logged["source"] as? String == "api")
        await fixture.stop()
    }

    @Test func withoutATokenFileMutatingRequestsAre403() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        try await fixture.app(token: nil).test(.router) { client in
            try await client.execute(uri: "/v1/maintenance", method: .post, headers: Self.authorized, body: Self.body(#"{"on": true}"#)) {
                #expect($0.status == .forbidden)
                #expect(Self.errorText($0).contains("set api.token_file"))
            }
            try await client.execute(uri: "/v1/status", method: .get) { #expect($0.status == .ok) }
        }
        #expect(await fixture.pair.web1.roles().first?.role == .holder)
        await fixture.stop()
    }

    @Test func malformedBodiesAre400WithTheProblem() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        let cases: [(uri: String, body: String, says: String)] = [
            ("/v1/maintenance", #"{"on": tru"#, "not valid JSON"),
            ("/v1/maintenance", #"{"group": "web"}"#, "missing field `on`"),
            ("/v1/maintenance", #"{"on": "yes"}"#, "field `on` must be true or false"),
            ("/v1/maintenance", "", "the body is empty"),
            ("/v1/maintenance", "[1, 2]", "must be a JSON object"),
            ("/v1/switchover", #"{"to": "web2"}"#, "missing field `group`"),
            ("/v1/switchover", #"{"group": 7}"#, "field `group` must be a string"),
        ]
        try await fixture.app().test(.router) { client in
            for item in cases {
                try await client.execute(uri: item.uri, method: .post, headers: Self.authorized, body: Self.body(item.body)) {
                    #expect($0.status == .badRequest, "\(item.body)")
                    #expect(Self.errorText($0).contains(item.says), "\(item.body): \(Self.errorText($0))")
                }
            }
        }
        #expect(await fixture.pair.web1.roles().first?.role == .holder)
        await fixture.stop()
    }

    @Test func switchoverAnswers404For409AndThe200Target() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/v1/switchover", method: .post, headers: Self.authorized, body: Self.body(#"{"group": "db"}"#)) {
                #expect($0.status == .notFound)
                #expect(Self.errorText($0).contains("no group named db"))
            }
            try await client.execute(uri: "/v1/maintenance", method: .post, headers: Self.authorized, body: Self.body(#"{"on": true, "group": "db"}"#)) {
                #expect($0.status == .notFound)
            }
        }
        // On the standby: the engine's reason, as it is.
        try await fixture.app(fixture.pair.web2).test(.router) { client in
            try await client.execute(uri: "/v1/switchover", method: .post, headers: Self.authorized, body: Self.body(#"{"group": "web"}"#)) {
                #expect($0.status == .conflict)
                #expect(Self.errorText($0) == "this node does not hold web; web1 does: run the switchover there")
            }
        }
        try await fixture.app().test(.router) { client in
            try await client.execute(
                uri: "/v1/switchover", method: .post, headers: Self.authorized, body: Self.body(#"{"group": "web", "to": "web2"}"#)
            ) { response in
                #expect(response.status == .ok)
                let answer = try JSONDecoder().decode(SwitchoverResponse.self, from: Data(response.body.readableBytesView))
                #expect(answer.target == "web2")
            }
        }
        #expect(await AgentCoreTests().waitForHolders(fixture.pair.world, ["web2"]) != nil)
        #expect(!fixture.pair.world.everUnheld("web"))
        let switchovers = fixture.events().filter { $0["event"] as? String == "switchover" }
        #expect(switchovers.map { $0["error"] as? String != nil } == [true, true, false], "refused ones are logged too")
        #expect(switchovers.last?["target"] as? String == "web2")
        await fixture.stop()
    }

    @Test func metricsExposeRolesHeartbeatsChecksAndMoverDurations() async throws {
        let fixture = try Fixture()
        try await fixture.start()
        let metrics = AgentMetrics()
        metrics.observe(.mover(group: "web", operation: "claim", epoch: 1, took: .milliseconds(3), error: nil))
        metrics.observeCheck(name: "nginx", passed: false, duration: .milliseconds(12))
        let app = makeAPIApplication(agent: fixture.pair.web1, api: APIConfig(listenPort: 0), token: nil, metrics: metrics)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                for series in [
                    #"floatip_build_info{commit="\#(BuildInfo.current.commit)",version="\#(BuildInfo.version)"} 1"#,
                    "# TYPE floatip_build_info gauge",
                    #"floatip_group_role{group="web",role="holder"} 1"#,
                    #"floatip_group_role{group="web",role="standby"} 0"#,
                    "# TYPE floatip_transitions_total counter",
                    "floatip_stalls_total 0",
                    "# TYPE floatip_heartbeats_sent_total counter",
                    "floatip_heartbeats_received_total ",
                    "# TYPE floatip_heartbeats_rejected_total counter",
                    #"floatip_peer_up{peer="web2"} 1"#,
                    #"floatip_mover_duration_seconds_bucket{group="web",operation="claim",le="0.005"} 1"#,
                    #"floatip_mover_duration_seconds_count{group="web",operation="claim"} 1"#,
                    #"floatip_check_results_total{check="nginx",result="failed"} 1"#,
                    #"floatip_check_duration_seconds_bucket{check="nginx",le="0.01"} 0"#,
                ] {
                    #expect(text.contains(series), "\(series)\n\(text)")
                }
            }
        }
        await fixture.stop()
    }

    @Test func theServerListensOnItsPortAndABindFailureNamesApiListen() async throws {
        let fixture = try Fixture()
        let server = APIServer(listen: "127.0.0.1:0")
        let port = try await server.start { running in
            makeAPIApplication(agent: fixture.pair.web1, api: APIConfig(listenPort: 0), token: nil, onServerRunning: running)
        }
        #expect(port > 0)
        let taken = APIServer(listen: "127.0.0.1:\(port)")
        await #expect(throws: APIServerError.self) {
            try await taken.start { running in
                makeAPIApplication(
                    agent: fixture.pair.web1, api: APIConfig(listenPort: UInt16(port)), token: nil, onServerRunning: running)
            }
        }
        do {
            _ = try await taken.start { running in
                makeAPIApplication(
                    agent: fixture.pair.web1, api: APIConfig(listenPort: UInt16(port)), token: nil, onServerRunning: running)
            }
        } catch {
            #expect(error.description.hasPrefix("api.listen 127.0.0.1:\(port): cannot listen there"))
        }
        await taken.stop()
        await server.stop()
        await fixture.stop()
    }

    @Test func tokensCompareWholly() {
        let authorization = APIAuthorization(token: "  secret token 0123456789\n")
        #expect(authorization.check("Bearer secret token 0123456789") == .allowed)
        #expect(authorization.check("bearer secret token 0123456789") == .allowed)
        #expect(authorization.check("Bearer secret token 012345678") != .allowed)
        #expect(authorization.check("Bearer secret token 01234567890") != .allowed)
        #expect(authorization.check(nil) != .allowed)
        #expect(APIAuthorization(token: nil).check("Bearer x") == .notConfigured)
        #expect(APIAuthorization.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!APIAuthorization.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!APIAuthorization.constantTimeEqual([], Array("a".utf8)))
    }
}
