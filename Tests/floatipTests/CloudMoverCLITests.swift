import FloatIPTestSupport
import Foundation
import Testing

/// `floatip check-config` and `floatip mover holder|claim|release` with an `aws` mover, end to end:
/// the real binary against moto in server mode (signatures checked) on 127.0.0.1.
@Suite(.serialized, .enabled(if: MotoServer.shouldRun, Comment(rawValue: MotoServer.skipReason)))
struct CloudMoverCLITests {
    @Test func moverCommandsMoveAnElasticIPThroughMoto() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let run = try await moto.call("RunInstances", [("ImageId", "ami-12c6146b"), ("MinCount", "2"), ("MaxCount", "2")])
        let instances = (run.first("instancesSet")?.children("item") ?? []).compactMap { $0.value("instanceId") }
        try #require(instances.count == 2)
        let allocation = try #require(try await moto.call("AllocateAddress", [("Domain", "vpc")]).value("allocationId"))
        _ = try await moto.call(
            "AssociateAddress", [("AllocationId", allocation), ("InstanceId", instances[1]), ("AllowReassociation", "true")])

        let directory = try CLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("aws.secret")
        try Self.writeSecret(moto.secretKey + "\n", to: keyFile)
        let config = try Self.writeConfig(in: directory, group: """
                priority: 100
                mover:
                  kind: aws
                  region: us-east-1
                  endpoint: \(moto.endpoint)
                  access_key_id: \(moto.accessKeyID)
                  secret_key_file: \(keyFile.path)
                  allocation_id: \(allocation)
                  instance_id: \(instances[0])
            """)
        let path = config.path

        let checked = try await offPool { try CLITests.run(["check-config", path], limit: .seconds(20)) }
        #expect(checked.status == 0, "\(checked.stderr)")
        let before = try await offPool { try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(before.status == 3, "\(before.stderr)")
        #expect(before.stdout.contains("held by \(instances[1])"))
        let claimed = try await offPool { try CLITests.run(["mover", "claim", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(claimed.status == 0, "\(claimed.stderr)")
        #expect(claimed.stdout.contains("claimed web: 198.51.100.10/32 through aws"))
        #expect(claimed.stderr.contains("routes \(allocation) to \(instances[1])"))
        let after = try await offPool { try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(after.status == 0 && after.stdout.contains("web: held here"), "\(after.stdout)\(after.stderr)")
        let released = try await offPool { try CLITests.run(["mover", "release", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(released.status == 0, "\(released.stderr)")
        let gone = try await offPool { try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], limit: .seconds(30)) }
        #expect(gone.status == 3 && gone.stdout.contains("not held here"))

        // check-config names each broken mover option; the secret never appears.
        let text = try String(contentsOf: config, encoding: .utf8)
            .split(separator: "\n").filter { !$0.contains("allocation_id:") }.joined(separator: "\n")
            .replacingOccurrences(of: "secret_key_file: \(keyFile.path)", with: "secret_key_file: \(directory.path)/missing")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let broken = try await offPool { try CLITests.run(["check-config", path], limit: .seconds(20)) }
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("groups[0].mover.allocation_id: missing"), "\(broken.stderr)")
        let refused = try await offPool { try CLITests.run(["mover", "claim", "-c", path, "-g", "web"], limit: .seconds(20)) }
        #expect(refused.status == 1 && refused.stderr.contains("group web: mover.allocation_id"), "\(refused.stderr)")
        #expect(!(broken.stderr + refused.stderr).contains(moto.secretKey))
        // With the options complete, a missing credential file is named too.
        try (text + "\n      allocation_id: \(allocation)\n").write(to: config, atomically: true, encoding: .utf8)
        let noKey = try await offPool { try CLITests.run(["check-config", path], limit: .seconds(20)) }
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("groups[0].mover.secret_key_file: \(directory.path)/missing does not exist"), "\(noKey.stderr)")
    }

    @Test func routeTablesFromAListWithKeysFromAProfileNamedByAWSProfile() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let run = try await moto.call("RunInstances", [("ImageId", "ami-12c6146b"), ("MinCount", "2"), ("MaxCount", "2")])
        let items = run.first("instancesSet")?.children("item") ?? []
        let interfaces = items.compactMap { $0.first("networkInterfaceSet")?.children("item").first?.value("networkInterfaceId") }
        let vpc = try #require(items.first?.value("vpcId"))
        try #require(interfaces.count == 2)
        var tables: [String] = []
        for _ in 0..<2 {
            tables.append(try #require(try await moto.call("CreateRouteTable", [("VpcId", vpc)]).first("routeTable")?.value("routeTableId")))
        }
        for table in tables {
            _ = try await moto.call(
                "CreateRoute", [("RouteTableId", table), ("DestinationCidrBlock", "198.51.100.10/32"), ("NetworkInterfaceId", interfaces[1])])
        }

        let directory = try CLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let aws = directory.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        let credentials = aws.appendingPathComponent("credentials")
        try Self.writeSecret("[ha]\naws_access_key_id = \(moto.accessKeyID)\naws_secret_access_key = \(moto.secretKey)\n", to: credentials)
        let config = try Self.writeConfig(in: directory, group: """
                interface: eth0
                priority: 100
                mover:
                  kind: aws
                  region: us-east-1
                  endpoint: \(moto.endpoint)
                  imds_endpoint: http://127.0.0.1:9
                  overlay: true
                  route_tables: [\(tables.joined(separator: ", "))]
                  network_interface_id: \(interfaces[0])
            """)
        // The agent's environment: the profile named, no keys of the test runner's own.
        let environment = ["-u", "AWS_ACCESS_KEY_ID", "-u", "AWS_SECRET_ACCESS_KEY", "-u", "AWS_SESSION_TOKEN",
                           "-u", "AWS_SHARED_CREDENTIALS_FILE", "HOME=\(directory.path)"]
        let path = config.path
        let checked = try await offPool {
            try CLITests.run(["check-config", path], via: environment + ["AWS_PROFILE=ha"], limit: .seconds(20))
        }
        #expect(checked.status == 0, "\(checked.stderr)")
        let holder = try await offPool {
            try CLITests.run(["mover", "holder", "-c", path, "-g", "web"], via: environment + ["AWS_PROFILE=ha"], limit: .seconds(30))
        }
        #expect(holder.status == 3 && holder.stdout.contains("held by \(interfaces[1])"), "\(holder.stdout)\(holder.stderr)")
        // A profile that is not in the file is named, with the file; the secret never appears.
        let missing = try await offPool {
            try CLITests.run(["check-config", path], via: environment + ["AWS_PROFILE=nobody"], limit: .seconds(20))
        }
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(
            "groups[0].mover.profile: \(credentials.path) has no keys under profile [nobody] (named by AWS_PROFILE)"), "\(missing.stderr)")
        #expect(!(checked.stderr + holder.stdout + holder.stderr + missing.stderr).contains(moto.secretKey))
    }

    /// Writes `text` to `url` as a secret file (mode 0600).
    static func writeSecret(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    /// `cloud.yaml` in `directory`: this node and the one group `web` (198.51.100.10/32) with `group`,
    /// its lines after `addresses`.
    static func writeConfig(in directory: URL, group: String) throws -> URL {
        let config = directory.appendingPathComponent("cloud.yaml")
        try """
            cluster: web
            node: { name: web1, address: 198.18.0.1 }
            secret_file: \(directory.appendingPathComponent("secret").path)
            groups:
              - name: web
                addresses: [198.51.100.10/32]
            \(group)
            """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }
}
