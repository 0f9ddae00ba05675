import Foundation
import Testing

/// `floatip check-config` and `floatip mover claim|holder|release` with a `dns` group, against a
/// real BIND 9 on 127.0.0.1.
@Suite(.serialized, .enabled(if: BINDServer.runnable, Comment(rawValue: BINDServer.missingReason)))
struct DNSMoverCommandTests {
    /// A config for node `node` (address `address`) whose group `web` points vip.example.test at it.
    static func config(
        _ bind: BINDServer, node: String, address: String, keyFile: String? = nil, extra: String = ""
    ) throws -> URL {
        let directory = try CLITests.workspace()
        let yaml = """
            cluster: web
            node: { name: \(node), address: \(address) }
            secret_file: \(directory.appendingPathComponent("secret").path)
            groups:
              - name: web
                priority: 100
                mover: { kind: dns, server: "\(bind.server)", zone: example.test, name: vip.example.test, key_file: \(keyFile ?? bind.keyFile)\(extra) }
            """
        let file = directory.appendingPathComponent("\(node).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func claimHolderAndReleaseByHand() throws {
        let bind = try BINDServer(records: ["vip IN A 198.18.0.250"], grants: ["name vip.example.test. A"])
        let web1 = try Self.config(bind, node: "web1", address: "198.18.0.1")
        let web2 = try Self.config(bind, node: "web2", address: "198.18.0.2")
        defer {
            try? FileManager.default.removeItem(at: web1.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: web2.deletingLastPathComponent())
        }
        let check = try CLITests.run(["check-config", web1.path], limit: .seconds(20))
        #expect(check.status == 0, "\(check.stderr)")
        let claim = try CLITests.run(["mover", "claim", "-c", web1.path, "-g", "web"], limit: .seconds(20))
        #expect(claim.status == 0, "\(claim.stderr)")
        #expect(claim.stdout.contains("vip.example.test. 198.18.0.1 (TTL 60 s) at \(bind.server)"), "\(claim.stdout)")
        #expect(try bind.dig("vip.example.test") == ["198.18.0.1"])
        let here = try CLITests.run(["mover", "holder", "-c", web1.path, "-g", "web"], limit: .seconds(20))
        #expect(here.status == 0 && here.stdout.contains("web: held here"), "\(here.stdout)\(here.stderr)")
        let elsewhere = try CLITests.run(["mover", "holder", "-c", web2.path, "-g", "web"], limit: .seconds(20))
        #expect(elsewhere.status == 3 && elsewhere.stdout.contains("web: held by 198.18.0.1"), "\(elsewhere.stdout)")
        let release = try CLITests.run(["mover", "release", "-c", web1.path, "-g", "web"], limit: .seconds(20))
        #expect(release.status == 0 && release.stderr.contains("release leaves vip.example.test."), "\(release.stderr)")
        #expect(try bind.dig("vip.example.test") == ["198.18.0.1"])
    }

    @Test func checkConfigNamesBadDNSOptions() throws {
        let bind = try BINDServer(records: [], grants: ["name vip.example.test. A"])
        let file = try Self.config(bind, node: "web1", address: "198.18.0.1", extra: ", ttl: soon")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let check = try CLITests.run(["check-config", file.path], limit: .seconds(20))
        #expect(check.status == 1)
        #expect(check.stderr.contains("web1.yaml:7: groups[0].mover.ttl: `soon` is not a TTL"), "\(check.stderr)")
        let missingKey = try Self.config(bind, node: "web2", address: "198.18.0.2", keyFile: "/nonexistent/k")
        defer { try? FileManager.default.removeItem(at: missingKey.deletingLastPathComponent()) }
        let badKey = try CLITests.run(["check-config", missingKey.path], limit: .seconds(20))
        #expect(badKey.status == 1)
        #expect(badKey.stderr.contains("groups[0].mover.key_file: dns: cannot read key_file /nonexistent/k"), "\(badKey.stderr)")
    }
}
