import Foundation
import Testing

/// `check-config` on `bgp` groups names each bad option with its line; `floatip mover` refuses a
/// bgp group (its announcement would end with the command).
@Suite struct BGPMoverCommandTests {
    static func config(_ mover: String, node: String = "web1") throws -> URL {
        let directory = try CLITests.workspace()
        let yaml = """
            cluster: web
            node: { name: \(node), address: 198.18.0.1 }
            secret_file: \(directory.appendingPathComponent("secret").path)
            groups:
              - name: web
                addresses: [198.18.0.100/32]
                priority: 100
                mover: { kind: bgp, \(mover) }
            """
        let file = directory.appendingPathComponent("\(node).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func checkConfigPassesAGoodGroupAndNamesEachBadOption() throws {
        let good = try Self.config("local_asn: 65001, peer_asn: 65000, peers: [198.18.0.254], hold_time: 3s")
        defer { try? FileManager.default.removeItem(at: good.deletingLastPathComponent()) }
        let passed = try CLITests.run(["check-config", good.path], limit: .seconds(20))
        #expect(passed.status == 0, "\(passed.stderr)")

        let bad = try Self.config("local_asn: 65001, peers: [router1], hold_time: 1s, multihop: 2", node: "web2")
        defer { try? FileManager.default.removeItem(at: bad.deletingLastPathComponent()) }
        let failed = try CLITests.run(["check-config", bad.path], limit: .seconds(20))
        #expect(failed.status == 1)
        for message in ["web2.yaml:8: groups[0].mover.peers: `router1` is not an address",
                        "groups[0].mover.hold_time: `1s` is not a BGP hold time",
                        "groups[0].mover.multihop: unknown option for the `bgp` mover"] {
            #expect(failed.stderr.contains(message), "\(message)\n\(failed.stderr)")
        }
    }

    @Test func aPasswordFileOthersCanReadIsRefused() throws {
        let directory = try CLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let password = directory.appendingPathComponent("bgp.password")
        try "floatip1\n".write(to: password, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: password.path)
        let file = try Self.config("local_asn: 65001, peer_asn: 65000, peers: [198.18.0.254], password_file: \(password.path)", node: "web3")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let check = try CLITests.run(["check-config", file.path], limit: .seconds(20))
        #expect(check.status == 1)
        #expect(check.stderr.contains("groups[0].mover.password_file"), "\(check.stderr)")
    }

    @Test func moverCommandsRefuseABGPGroup() throws {
        let file = try Self.config("local_asn: 65001, peer_asn: 65000, peers: [198.18.0.254]", node: "web4")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let claim = try CLITests.run(["mover", "claim", "-c", file.path, "-g", "web"], limit: .seconds(20))
        #expect(claim.status == 1)
        #expect(claim.stderr.contains("the bgp mover announces only while its process runs"), "\(claim.stderr)")
    }
}
