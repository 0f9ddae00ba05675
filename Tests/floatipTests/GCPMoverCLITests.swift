import FloatIPTestSupport
import Foundation
import Testing

/// `floatip check-config` and `floatip mover holder|claim` with a `gcp` mover, end to end: the real
/// binary against `GCPFake` on 127.0.0.1 (token from its metadata server).
@Suite(.serialized)
struct GCPMoverCLITests {
    @Test func checkConfigAndTheMoverCommandsWithGoogleCloud() async throws {
        let fake = GCPFake(instances: ["web1": ("europe-west1-b", []), "web2": ("europe-west1-b", ["10.128.0.50/32"])])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let directory = try CLITests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("gcp.yaml")
        let yaml = CLITests.moverConfig(directory, addresses: "10.128.0.50/32", mover: [
            "kind: gcp", "project: \(GCPFake.project)", "zone: europe-west1-b", "instance: web1", "alias_ip: 10.128.0.50/32",
            "endpoint: \(server.baseURL)", "metadata_endpoint: \(server.baseURL)", "poll_interval: 20ms",
        ])
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let path = config.path
        let checked = try await CLITests.floatip(["check-config", path])
        #expect(checked.status == 0, "\(checked.stderr)")
        let before = try await CLITests.mover("holder", path)
        #expect(before.status == 3 && before.stdout.contains("held by web2"), "\(before.stdout)\(before.stderr)")
        let claimed = try await CLITests.mover("claim", path)
        #expect(claimed.status == 0, "\(claimed.stderr)")
        #expect(claimed.stderr.contains("routes alias IP range 10.128.0.50/32 to web2"), "\(claimed.stderr)")
        #expect(fake.holder("10.128.0.50/32") == "web1")

        // A key file that is not a service-account key is named by check-config, the key never shown.
        let key = directory.appendingPathComponent("key.json")
        let secret = GCPFake.keyFile().replacingOccurrences(of: "\"client_email\"", with: "\"client_mail\"")
        try Data(secret.utf8).write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        try (yaml + "\n      key_file: \(key.path)\n      zonez: b\n").write(to: config, atomically: true, encoding: .utf8)
        let unknown = try await CLITests.floatip(["check-config", path])
        #expect(unknown.status == 1 && unknown.stderr.contains("groups[0].mover.zonez: unknown option for the `gcp` mover"), "\(unknown.stderr)")
        try (yaml + "\n      key_file: \(key.path)\n").write(to: config, atomically: true, encoding: .utf8)
        let broken = try await CLITests.floatip(["check-config", path])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("groups[0].mover.key_file: the key is not a service-account key: no `client_email`"), "\(broken.stderr)")
        #expect(!broken.stderr.contains("PRIVATE KEY"))
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }
}
