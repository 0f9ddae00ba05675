import FloatIPCore
import Foundation
import Glibc
import Testing

/// `floatip mover claim --hold` as a real process in a namespace: what happens to its addresses
/// when it is stopped cleanly, and when it is killed.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct MoverCommandTests {
    /// A namespace with eth0 (a veth to a second namespace), a config for one group, and the
    /// `floatip mover claim --hold` process started in it.
    final class HeldClaim {
        let network = TestNetwork()
        let host: String
        let directory: URL
        let process = Process()
        let output = Pipe()

        init(lifetime: String) throws {
            host = try network.namespace("a")
            try network.link(host, "eth0", try network.namespace("b"), "eth0")
            try network.ip(host, "addr", "add", "198.18.0.1/24", "dev", "eth0")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-mover-\(network.prefix)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = """
                cluster: web
                node: { name: web1, address: 198.18.0.1 }
                secret_file: /etc/floatip/secret
                groups:
                  - { name: web, addresses: [198.18.0.100/32], interface: eth0, priority: 100, address_lifetime: \(lifetime) }
                """
            try config.write(to: directory.appendingPathComponent("web1.yaml"), atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "ip", "netns", "exec", host, try CLITests.floatipBinary().path, "mover", "claim", "-c",
                directory.appendingPathComponent("web1.yaml").path, "-g", "web", "--hold",
            ]
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }

        func holds() throws -> Bool { try network.ip(host, "-4", "addr", "show", "dev", "eth0").contains("198.18.0.100/32") }

        /// Polls until `condition`, bounded.
        func wait(_ limit: Duration, _ condition: () throws -> Bool) async throws -> Bool {
            let end = ContinuousClock.now + limit
            while ContinuousClock.now < end {
                if try condition() { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return try condition()
        }
    }

    @Test func killedHolderLeavesNoAddressBehind() async throws {
        let claim = try HeldClaim(lifetime: "2s")
        #expect(try await claim.wait(.seconds(5)) { try claim.holds() })
        try await Task.sleep(for: .seconds(3))
        #expect(try claim.holds(), "renewed beyond its 2 s lifetime while the process lives")
        // `ip netns exec` execs floatip in place, so this PID is floatip's own.
        kill(claim.process.processIdentifier, SIGKILL)
        let clock = ContinuousClock()
        let killed = clock.now
        #expect(try await claim.wait(.seconds(5)) { try !claim.holds() }, "the kernel removed the address by itself")
        print("address gone \((clock.now - killed).shortDescription) after SIGKILL (lifetime 2 s)")
    }

    @Test func sigtermReleasesAtOnce() async throws {
        let claim = try HeldClaim(lifetime: "forever")
        #expect(try await claim.wait(.seconds(5)) { try claim.holds() })
        kill(claim.process.processIdentifier, SIGTERM)
        let process = UncheckedBox(claim.process)
        try await offPool { process.value.waitUntilExit() }
        #expect(claim.process.terminationStatus == 0)
        #expect(try !claim.holds())
        let text = String(decoding: claim.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("SIGTERM: released web"), "\(text)")
    }
}

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct MoverPermissionTests {
    @Test func withoutNetAdminTheErrorSaysWhatToDo() throws {
        let network = TestNetwork()
        let host = try network.namespace("a")
        try network.link(host, "eth0", try network.namespace("b"), "eth0")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-cap-\(network.prefix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("web1.yaml")
        try """
            cluster: web
            node: { name: web1, address: 198.18.0.1 }
            secret_file: /etc/floatip/secret
            groups:
              - { name: web, addresses: [198.18.0.100/32], interface: eth0, priority: 100 }
            """.write(to: file, atomically: true, encoding: .utf8)
        // Drop CAP_NET_ADMIN and CAP_NET_RAW for the child, as for an unprivileged user.
        let run = try CLITests.run(
            ["mover", "claim", "-c", file.path, "-g", "web"],
            via: ["ip", "netns", "exec", host, "setpriv", "--inh-caps=-all", "--bounding-set=-net_admin,-net_raw"],
            limit: .seconds(60))
        let text = run.stderr
        #expect(run.status == 1)
        #expect(text.contains("group web: cannot add 198.18.0.100/32 on eth0"), "\(text)")
        #expect(text.contains("needs CAP_NET_ADMIN: run floatip as root"), "\(text)")
        #expect(try !network.ip(host, "addr", "show", "dev", "eth0").contains("198.18.0.100"))
    }
}
