import FloatIPTestSupport
import Foundation
import Testing

/// `floatip check-config` and `floatip mover holder|claim|release` with the `route53` mover, end to
/// end: the real binary against moto on 127.0.0.1 (signature check off: moto cannot check a REST
/// GET's, see `MotoServer.start`), publishing `node.address`; and check-config of a `cloudflare` group.
@Suite(.serialized, .enabled(if: MotoServer.shouldRun, Comment(rawValue: MotoServer.skipReason)))
struct DNSProviderCLITests {
    @Test func moverCommandsPointARoute53RecordAtThisNode() async throws {
        let moto = try await MotoServer.start(checkSignatures: false)
        defer { moto.stop() }
        let created = try await moto.rest(
            "POST", "/2013-04-01/hostedzone",
            body: #"<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>example.com</Name>"#
                + "<CallerReference>floatip-\(UUID().uuidString)</CallerReference></CreateHostedZoneRequest>")
        let zone = try #require(created.first("HostedZone")?.value("Id"))

        let directory = try CLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("route53.secret")
        try Data((moto.secretKey + "\n").utf8).write(to: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        let config = directory.appendingPathComponent("dns.yaml")
        let yaml = """
            cluster: web
            node: { name: web1, address: 198.18.0.1 }
            secret_file: \(directory.appendingPathComponent("secret").path)
            groups:
              - name: web
                priority: 100
                mover:
                  kind: route53
                  endpoint: \(moto.endpoint)
                  zone_id: \(zone)
                  name: www.example.com
                  ttl: 30
                  access_key_id: \(moto.accessKeyID)
                  secret_key_file: \(keyFile.path)
                  poll_interval: 50ms
            """
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let path = config.path

        let checked = try await offPool { try CLITests.run(["check-config", path], limit: .seconds(20)) }
        #expect(checked.status == 0, "\(checked.stderr)")
        let before = try await offPool { try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(before.status == 3 && before.stdout.contains("www.example.com has no A/AAAA record"), "\(before.stdout)\(before.stderr)")
        let claimed = try await offPool { try CLITests.run(["mover", "claim", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(claimed.status == 0, "\(claimed.stderr)")
        #expect(claimed.stdout.contains("claimed web: the record of www.example.com through route53"), "\(claimed.stdout)")
        #expect(claimed.stdout.contains("the provider reports holder 198.18.0.1"), "\(claimed.stdout)")
        let after = try await offPool { try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(after.status == 0 && after.stdout.contains("www.example.com has 198.18.0.1 at route53"), "\(after.stdout)")
        #expect(after.stdout.contains("web: held here"))
        let released = try await offPool { try CLITests.run(["mover", "release", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(released.status == 0 && released.stderr.contains("no detach"), "\(released.stderr)")
        let still = try await offPool { try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(still.status == 0, "release leaves the record: \(still.stdout)")

        // check-config names each broken option with its group index; the secret never appears.
        let broken = yaml.replacingOccurrences(of: "      ttl: 30\n", with: "      ttl: soon\n")
            .replacingOccurrences(of: "    priority: 100\n", with: "    priority: 100\n    interface: eth0\n")
        try broken.write(to: config, atomically: true, encoding: .utf8)
        let refused = try await offPool { try CLITests.run(["check-config", path], limit: .seconds(20)) }
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("groups[0].interface"), "\(refused.stderr)")
        try yaml.replacingOccurrences(of: "      ttl: 30\n", with: "      ttl: soon\n").write(to: config, atomically: true, encoding: .utf8)
        let badTTL = try await offPool { try CLITests.run(["check-config", path], limit: .seconds(20)) }
        #expect(badTTL.status == 1 && badTTL.stderr.contains("groups[0].mover.ttl: `soon` is not a TTL"), "\(badTTL.stderr)")
        #expect(!(refused.stderr + badTTL.stderr).contains(moto.secretKey))
    }

    @Test func checkConfigOfACloudflareGroupNamesTheToken() async throws {
        let directory = try CLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("cf.yaml")
        try """
            cluster: web
            node: { name: web1, address: 198.18.0.1 }
            secret_file: \(directory.appendingPathComponent("secret").path)
            groups:
              - name: web
                priority: 100
                mover: { kind: cloudflare, zone_id: 023e105f4ecef8ad9ca31a8372d0c353, name: www.example.com, token_file: \(directory.path)/cf.token }
            """.write(to: config, atomically: true, encoding: .utf8)
        let missing = try await offPool { try CLITests.run(["check-config", config.path], limit: .seconds(20)) }
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("groups[0].mover.token_file: \(directory.path)/cf.token does not exist"), "\(missing.stderr)")
        let token = directory.appendingPathComponent("cf.token")
        try Data("cf-token-value\n".utf8).write(to: token)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: token.path)
        let ok = try await offPool { try CLITests.run(["check-config", config.path], limit: .seconds(20)) }
        #expect(ok.status == 0, "\(ok.stderr)")
    }
}
