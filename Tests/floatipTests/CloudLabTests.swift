import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The real `floatip agent` on two servers in namespaces with a cloud mover (`digitalocean`)
/// pointed at `DigitalOceanFake`, reached in the lab's switch namespace (198.18.0.254:8080, relayed
/// by socat to the fake's Unix socket in this process): failover reaches the provider, and after a
/// partition in which both nodes claimed, the provider ends at exactly one and the other releases.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && CloudLab.socat != nil, .namespaces))
struct CloudLabTests {
    @Test func failoverAndAHealedPartitionEndWithOneHolderAtTheProvider() async throws {
        let cloud = try await CloudLab()
        defer { cloud.stop() }
        let lab = cloud.lab
        let fake = cloud.fake
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(10)) { fake.assignment(CloudLab.ip) == 1 } != nil, "\(lab.log(1))")

        // Kill the holder: the standby's claim reaches the provider.
        lab.signal(1, SIGKILL)
        _ = try await lab.waitForExit(1)
        let failover = try await lab.wait(.seconds(5)) { fake.assignment(CloudLab.ip) == 2 }
        #expect(failover != nil, "\(lab.log(2))")
        print("cloud lab: holder killed → provider record at the standby in \(failover.map { "\($0)" } ?? "never")")
        #expect(lab.log(2).contains("routes \(CloudLab.ip) to 1"))

        // web1 comes back and takes it back after preempt_delay.
        try lab.start(1)
        #expect(try await lab.wait(.seconds(10)) { fake.assignment(CloudLab.ip) == 1 } != nil, "\(lab.log(1))")

        // A partition: both hold and both claim at the provider.
        let assignsBefore = cloud.server.requests.filter { $0.method == "POST" && $0.json?["droplet_id"] as? Int == 2 }.count
        try lab.partition(true)
        let bothClaimed = try await lab.wait(.seconds(5)) {
            cloud.server.requests.filter { $0.method == "POST" && $0.json?["droplet_id"] as? Int == 2 }.count > assignsBefore
        }
        #expect(bothClaimed != nil, "web2 never claimed during the partition: \(lab.log(2))")
        try lab.partition(false)
        // Healed: web2 releases, web1 keeps (and re-asserts) it; the provider ends at exactly web1, and stays there.
        let settled = try await lab.wait(.seconds(10)) {
            fake.assignment(CloudLab.ip) == 1 && lab.log(2).contains("released")
        }
        #expect(settled != nil, "provider at \(String(describing: fake.assignment(CloudLab.ip))); web2: \(lab.log(2))")
        try await Task.sleep(for: .seconds(1))
        #expect(fake.assignment(CloudLab.ip) == 1)
        func group(_ node: Int) async throws -> [String: Any]? {
            let status = try await lab.floatip(node, ["status", "-c", lab.config(node), "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            return (object?["groups"] as? [[String: Any]])?.first
        }
        #expect(try await group(2)?["role"] as? String == "standby")
        let winner = try await group(1)
        #expect(winner?["role"] as? String == "holder")
        let mover = winner?["mover"] as? [String: Any]
        #expect(mover?["providerHolder"] as? String == "1" && mover?["providerHoldsHere"] as? Bool == true, "\(String(describing: mover))")
        let table = try await lab.floatip(1, ["status", "-c", lab.config(1)]).stdout
        #expect(table.contains("PROVIDER HOLDER") && table.contains("digitalocean  1 (here)"), "\(table)")
        #expect(cloud.server.unrecognised.isEmpty)
        lab.signal(1, SIGTERM)
        lab.signal(2, SIGTERM)
        _ = try await lab.waitForExit(1)
        _ = try await lab.waitForExit(2)
        await cloud.server.stop()
    }
}

/// An `AgentLab` whose group moves through a provider's fake (`DigitalOceanFake` unless another
/// `handler` and `mover` are given), and the relay that lets the agents reach it at
/// `http://198.18.0.254:8080`.
final class CloudLab: @unchecked Sendable {
    static let ip = "203.0.113.7"
    static let socat: String? = ["/usr/bin/socat", "/bin/socat"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let lab: AgentLab
    let fake = DigitalOceanFake(ips: [CloudLab.ip: nil], droplets: [1, 2])
    let server: FakeProviderServer
    private let relay = Process()

    /// `mover`: each node's `mover:` (flow YAML), given the token file; `handler`: the fake that answers.
    init(
        mover: ((Int, String) -> String)? = nil, handler: FakeProviderServer.Handler? = nil
    ) async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("fipdo-\(UUID().uuidString.prefix(8)).sock").path
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("fipdo-\(UUID().uuidString.prefix(8)).token")
        try Data((DigitalOceanFake.token + "\n").utf8).write(to: tokenFile)
        chmod(tokenFile.path, 0o600)
        lab = try AgentLab(nodes: 2, mover: { node in
            if let mover { return mover(node, tokenFile.path) }
            return "{ kind: digitalocean, ip: \(CloudLab.ip), droplet_id: \(node), token_file: \(tokenFile.path), "
                + "endpoint: \"http://198.18.0.254:8080\", allow_insecure_http: true, poll_interval: 20ms, request_timeout: 1s, claim_timeout: 5s, "
                + "reconcile_interval: 300ms }"
        })
        let fake = self.fake
        server = try await FakeProviderServer.start(unixSocket: socket, handler ?? { fake.handle($0) })
        let switchNamespace = lab.network.namespaces.first { $0.hasSuffix("-sw") } ?? ""
        try lab.network.ip(switchNamespace, "addr", "add", "198.18.0.254/24", "dev", "br0")
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        relay.arguments = [
            "ip", "netns", "exec", switchNamespace, CloudLab.socat ?? "socat",
            "TCP-LISTEN:8080,bind=198.18.0.254,reuseaddr,fork", "UNIX-CONNECT:\(socket)",
        ]
        relay.standardOutput = FileHandle.nullDevice
        relay.standardError = FileHandle.nullDevice
        try relay.run()
        cleanup = { try? FileManager.default.removeItem(at: tokenFile); try? FileManager.default.removeItem(atPath: socket) }
        // The relay listens within a moment; bounded wait on its socket from the switch namespace.
        for _ in 0..<50 {
            if (try? lab.network.exec(switchNamespace, "sh", "-c", "ss -ltn | grep -q 198.18.0.254:8080 && echo up"))?
                .contains("up") == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private var cleanup: () -> Void = {}

    /// Ends the agents and the relay by PID and removes the files (the fake ends with `stopServer`).
    func stop() {
        for node in 1...2 { lab.signal(node, SIGKILL) }
        if relay.isRunning { kill(relay.processIdentifier, SIGKILL) }
        relay.waitUntilExit()
        cleanup()
    }
}
