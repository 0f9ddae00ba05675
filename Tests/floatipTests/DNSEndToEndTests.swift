import Foundation
import Glibc
import Testing

/// Two real agents with the `dns` mover, BIND 9 in the switch's namespace, and a client namespace
/// that asks with `dig`: kill the holder, and the name answers the standby's address.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && BINDServer.runnable, .namespaces))
struct DNSEndToEndTests {
    @Test func theNameAnswersTheStandbyAfterTheHolderIsKilled() async throws {
        // BIND listens on the switch's bridge (198.18.0.53); the agents' key lives in its directory.
        let keyPlaceholder = "KEYFILE"
        let lab = try AgentLab(dnsMover: "server: \"198.18.0.53\", zone: example.test, name: vip.example.test, "
            + "ttl: 1, key_file: \(keyPlaceholder)")
        try lab.network.ip(lab.switchNamespace, "addr", "add", "198.18.0.53/24", "dev", "br0")
        try lab.network.ip(lab.switchNamespace, "link", "set", "br0", "up")
        let bind = try BINDServer(
            records: ["vip 1 IN A 198.18.0.250"], grants: ["name vip.example.test. A"], address: "198.18.0.53",
            namespace: lab.switchNamespace)
        for node in 1...2 {
            let text = try String(contentsOfFile: lab.config(node), encoding: .utf8)
            try text.replacingOccurrences(of: keyPlaceholder, with: bind.keyFile)
                .write(toFile: lab.config(node), atomically: true, encoding: .utf8)
        }
        let client = try lab.network.namespace("client")
        try lab.network.link(client, "eth0", lab.switchNamespace, "p9")
        try lab.network.ip(lab.switchNamespace, "link", "set", "p9", "master", "br0")
        try lab.network.ip(client, "addr", "add", "198.18.0.200/24", "dev", "eth0")
        func answer() -> [String] { (try? bind.dig("vip.example.test", from: client)) ?? [] }

        try lab.start(1)
        try lab.start(2)
        let first = try await lab.wait(.seconds(8)) { answer() == ["198.18.0.1"] }
        #expect(first != nil, "web1 never published: \(answer())\n\(lab.log(1))\n\(bind.logTail)")
        guard first != nil else { return }
        lab.signal(1, SIGKILL)
        let took = try await lab.wait(.seconds(6)) { answer() == ["198.18.0.2"] }
        let failover = try #require(took, "the name still answers \(answer())\n\(lab.log(2))")
        print("dns failover after SIGKILL, fault to the new answer seen by dig from the client: \(failover.shortDescription)")
        #expect(failover < .seconds(2), "dead interval (300 ms) plus one update and a dig or two")
        #expect(lab.log(2).contains("dns: group web: vip.example.test. → A 198.18.0.2"), "\(lab.log(2))")
        // Status shows the record as the server answers it, and the claim's time to that answer.
        let status = try await lab.floatip(2, ["status", "--json", "--config", lab.config(2)])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let group = (object?["groups"] as? [[String: Any]])?.first
        let mover = try #require(group?["mover"] as? [String: Any], "\(status.stdout)")
        #expect(mover["kind"] as? String == "dns")
        #expect(mover["providerHolder"] as? String == "198.18.0.2", "\(mover)")
        #expect((mover["answer"] as? String)?.contains("last claim answered after") == true, "\(mover)")
    }
}
