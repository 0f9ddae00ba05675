import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// `mover: azure-lb` behind a real HAProxy: two agents in namespaces answer the probe (HTTP 200 on
/// /healthz, port 9100) only while holding; HAProxy, in the client's namespace, health-checks both
/// (every 100 ms, fall 2, rise 2) and sends a client's requests to the servers' service (socat
/// answering its name on port 8000); the group's address is also configured on the holder
/// (`interface`). Killing the holder's agent moves the traffic to the standby: the failover time and
/// the failed requests are measured (docs/movers.md).
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AzureLBLabTests {
    /// Where HAProxy's frontend listens (in the client's namespace).
    static let frontend = (host: "198.18.0.200", port: 8080)

    /// One request through HAProxy: when it was made and who answered (nil: it failed).
    struct Answer: Sendable {
        var at: ContinuousClock.Instant
        var node: String?
    }

    /// The client's answers so far, and the flag that stops it.
    final class Record: Sendable {
        let answers = Mutex<[Answer]>([])
        let stop = Atomic<Bool>(false)

        func contains(after instant: ContinuousClock.Instant, from node: String) -> Bool {
            answers.withLock { $0.contains { $0.at > instant && $0.node == node } }
        }
    }

    @Test func killingTheHolderMovesHAProxysTrafficToTheStandby() async throws {
        guard let haproxy = ExternalTool.find("haproxy", for: "the azure-lb lab test", package: "haproxy"),
            let socat = ExternalTool.find("socat", for: "the azure-lb lab test", package: "socat")
        else { return }
        let lab = try AgentLab(nodes: 2, mover: { node in
            "{ kind: azure-lb, port: 9100, bind: 198.18.0.\(node), path: /healthz }\n    interface: eth0"
        })
        let client = try lab.addClient()
        var servers: [Process] = []
        // By PID, and with SIGKILL: socat inherits the test runner's blocked SIGTERM, and neither keeps state.
        defer {
            for server in servers where server.isRunning { kill(server.processIdentifier, SIGKILL) }
            for server in servers { server.waitUntilExit() }
        }
        func log(_ name: String) -> String { lab.directory.appendingPathComponent("\(name).log").path }
        for node in 1...2 {
            servers.append(try ServerProcess.start(
                [socat, "TCP-LISTEN:8000,bind=198.18.0.\(node),reuseaddr,fork", "SYSTEM:echo web\(node)"],
                namespace: lab.namespace(node), log: log("service\(node)")))
        }
        let config = lab.directory.appendingPathComponent("haproxy.cfg")
        try """
            defaults
                mode tcp
                timeout connect 500ms
                timeout client 2s
                timeout server 2s
                timeout check 500ms
            frontend vip
                bind \(Self.frontend.host):\(Self.frontend.port)
                default_backend web
            backend web
                option httpchk GET /healthz
                http-check expect status 200
                default-server check port 9100 inter 100ms fall 2 rise 2
                server web1 198.18.0.1:8000
                server web2 198.18.0.2:8000

            """.write(to: config, atomically: true, encoding: .utf8)
        servers.append(try ServerProcess.start([haproxy, "-db", "-f", config.path], namespace: client, log: log("haproxy")))
        try lab.start(1)
        try lab.start(2)

        @Sendable func ask() -> String? {
            TCPExchange.exchange(in: client, host: Self.frontend.host, port: Self.frontend.port, timeout: .seconds(1))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Settled: web1 holds and HAProxy sends everything to it (web2 is down there).
        var settled = 0
        for _ in 0..<400 where settled < 10 {
            settled = try await offPool { ask() } == "web1" ? settled + 1 : 0
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(settled == 10, "HAProxy never settled on web1: \(ServerProcess.tail(log("haproxy")))\n\(lab.log(1))\n\(lab.log(2))")
        // With `interface`, the holder also has the frontend address (an Azure rule with floating IP).
        #expect(try lab.holders() == [1])

        // The client: one request every 10 ms until stopped (at most 15 s).
        let record = Record()
        let clientTask = Task {
            try await offPool {
                let end = ContinuousClock.now + .seconds(15)
                while !record.stop.load(ordering: .relaxed) && ContinuousClock.now < end {
                    let at = ContinuousClock.now
                    let node = ask()
                    record.answers.withLock { $0.append(Answer(at: at, node: node)) }
                    usleep(10_000)
                }
            }
        }
        defer { record.stop.store(true, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(300))

        let killed = ContinuousClock.now
        lab.signal(1, SIGKILL)
        _ = try await lab.waitForExit(1)
        let reached = try await lab.wait(.seconds(6)) { record.contains(after: killed, from: "web2") }
        #expect(reached != nil, "traffic never reached web2: \(lab.log(2))")
        #expect(try lab.holds(2))
        try await Task.sleep(for: .seconds(1))
        // web1 returns and takes the group back after preempt_delay (make-before-break at the probe).
        let returned = ContinuousClock.now
        try lab.start(1)
        let back = try await lab.wait(.seconds(8)) { record.contains(after: returned, from: "web1") }
        #expect(back != nil, "traffic never came back to web1: \(lab.log(1))")
        try await Task.sleep(for: .milliseconds(500))
        record.stop.store(true, ordering: .relaxed)
        try await clientTask.value

        let all = record.answers.withLock { $0 }
        let afterKill = all.filter { $0.at >= killed && $0.at < returned }
        let firstWeb2 = try #require(afterKill.first { $0.node == "web2" })
        let failedOnKill = afterKill.filter { $0.node == nil }
        let lastFailed = failedOnKill.last.map { $0.at - killed }
        let failback = all.filter { $0.at >= returned }
        let failedOnReturn = failback.filter { $0.node == nil }
        print("azure-lb behind HAProxy (check inter 100ms fall 2 rise 2): holder's agent killed → first answer from web2 after "
            + "\((firstWeb2.at - killed).shortDescription); \(failedOnKill.count) of \(afterKill.count) requests failed "
            + "(the last \(lastFailed?.shortDescription ?? "-") after the kill); web1's return (preempt): "
            + "\(failedOnReturn.count) of \(failback.count) failed")
        #expect(firstWeb2.at - killed < .seconds(4))
        // Once moved, everything goes to web2, although web1's service still runs: its probe closed
        // with its agent, so HAProxy took it out.
        let settledAfter = afterKill.filter { $0.at > firstWeb2.at + .milliseconds(500) }
        #expect(!settledAfter.isEmpty && settledAfter.allSatisfy { $0.node == "web2" }, "\(settledAfter.map(\.node))")
        lab.signal(1, SIGTERM)
        lab.signal(2, SIGTERM)
        _ = try await lab.waitForExit(1)
        _ = try await lab.waitForExit(2)
    }
}

