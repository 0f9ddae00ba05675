import Foundation
import Glibc
import Testing

/// Runs the built `floatip` binary, as an operator would.
@Suite(.serialized) struct CLITests {
    /// The `floatip` executable next to this test bundle (the products directory), or in .build/debug.
    static func floatipBinary() throws -> URL {
        var candidates: [URL] = []
        for start in [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])] {
            var directory = start
            for _ in 0..<4 {
                directory = directory.deletingLastPathComponent()
                candidates.append(directory.appendingPathComponent("floatip"))
            }
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.build/debug/floatip"))
        let found = candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: url.path)
        }
        return try #require(found, "floatip binary not found among \(candidates.map(\.path))")
    }

    typealias Run = ExternalTool.Run

    /// Runs `floatip ARGUMENTS`, behind `launcher` if given (`ip netns exec NS`), killed after `limit`
    /// (default 10 min).
    static func run(
        _ arguments: [String], in directory: URL? = nil, via launcher: [String] = [], limit: Duration? = nil
    ) throws -> Run {
        let binary = try floatipBinary().path
        let argv = launcher.isEmpty ? [binary] + arguments : ["/usr/bin/env"] + launcher + [binary] + arguments
        return try ExternalTool.run(argv, in: directory, limit: limit ?? .seconds(600))
    }

    /// Runs `floatip ARGUMENTS` off the cooperative pool, killed after `limit`.
    static func floatip(_ arguments: [String], limit: Duration = .seconds(30)) async throws -> Run {
        try await offPool { try run(arguments, limit: limit) }
    }

    /// `floatip mover VERB -c CONFIG -g web`, off the cooperative pool.
    static func mover(_ verb: String, _ config: String) async throws -> Run {
        try await floatip(["mover", verb, "-c", config, "-g", "web"])
    }

    /// A one-node config in `directory` (its `secret` file) whose group `web` (`addresses`, if any)
    /// moves through `mover`'s options, one `key: value` a line.
    static func moverConfig(_ directory: URL, addresses: String?, mover: [String]) -> String {
        let lines = [
            "cluster: web", "node: { name: web1, address: 198.18.0.1 }",
            "secret_file: \(directory.appendingPathComponent("secret").path)", "groups:", "  - name: web",
        ] + (addresses.map { ["    addresses: [\($0)]"] } ?? []) + ["    priority: 100", "    mover:"] + mover.map { "      " + $0 }
        return lines.joined(separator: "\n")
    }

    /// A fresh directory with a secret file (mode 0600) and a config naming it.
    static func workspace(secret: String = "0123456789abcdef0123456789abcdef\n", mode: Int = 0o600) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secretURL = directory.appendingPathComponent("secret")
        try Data(secret.utf8).write(to: secretURL)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: secretURL.path)
        let config = """
            cluster: web
            node: { name: web1, address: 198.18.0.1 }
            peers:
              - { name: web2, address: 198.18.0.2 }
            secret_file: \(secretURL.path)
            groups:
              - name: web
                addresses: [198.18.0.100/32, 2001:2::100]
                interface: eth0
                priority: 200
            checks:
              - { name: nginx, kind: http, target: "http://127.0.0.1/health" }
              - { name: load, kind: command, target: /bin/true, weight: -50 }

            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("web.yaml"))
        return directory
    }

    @Test func validConfigExitsZeroWithSummary() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "web.yaml: OK: cluster web, node web1, 1 peer, 1 group (2 addresses), 2 checks; "
            + "failover within 330 ms; links tracked: eth0 (implicit check `link eth0`)\n")
        #expect(run.stderr.isEmpty)
    }

    @Test func invalidConfigExitsOneWithEveryProblem() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("web.yaml")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "priority: 200", with: "priority: 300")
        text = text.replacingOccurrences(of: "cluster: web", with: "cluster: web\ntimers: { interval: 20 }")
        try Data(text.utf8).write(to: url)
        let run = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(run.stderr)")
        #expect(lines.first?.hasPrefix("web.yaml:2: timers.interval: `20` has no unit") == true)
        #expect(lines.last == "web.yaml:11: groups[0].priority: 300 is out of range; allowed: a priority from 1 to 254")
    }

    @Test func shortSecretIsAnError() throws {
        let directory = try Self.workspace(secret: "  short \n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 1)
        #expect(run.stderr.contains("web.yaml: secret_file: "))
        #expect(run.stderr.contains("holds 5 bytes after trimming white space; at least 16 are required"))
    }

    @Test func missingSecretIsAnError() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("secret"))
        let run = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 1)
        #expect(run.stderr.contains("web.yaml: secret_file: ") && run.stderr.contains("does not exist"))
    }

    @Test("a secret its group can read (root:floatip 0640) is only a warning")
    func groupReadableSecretIsOnlyAWarning() throws {
        let directory = try Self.workspace(mode: 0o640)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 0)
        #expect(run.stdout.contains("OK"))
        #expect(run.stderr.contains("web.yaml: secret_file: warning: ") && run.stderr.contains("mode 0640"), "\(run.stderr)")
    }

    @Test("a log the agent would refuse to read (another owner, a link) is an error naming the owner: that fixes it")
    func logTargetsTheAgentWouldRefuseAreErrors() throws {
        guard getuid() == 0 else {
            print("skipped: chown to another user needs root")
            return
        }
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("app.log").path
        let link = directory.appendingPathComponent("current.log").path
        #expect(FileManager.default.createFile(atPath: log, contents: Data("start\n".utf8)))
        #expect(chown(log, 65534, 65534) == 0)
        #expect(symlink(log, link) == 0)
        let config = directory.appendingPathComponent("web.yaml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try (text + "  - { name: errors, kind: log, target: \(log), pattern: ERROR }\n"
            + "  - { name: linked, kind: log, target: \(link), pattern: ERROR }\n").write(
                to: config, atomically: true, encoding: .utf8)
        let refused = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(refused.status == 1)
        let owner = getpwuid(65534).map { String(cString: $0.pointee.pw_name) } ?? "65534"
        #expect(refused.stderr.contains("checks[2].target: the agent will not read it: \(log) is owned by uid 65534")
            && refused.stderr.contains("`owner: \(owner)`"), "\(refused.stderr)")
        #expect(refused.stderr.contains("checks[3].target: the agent will not read it: \(link) is a symbolic link"),
                "\(refused.stderr)")
        // Saying who owns it is the fix (and the link is named by its file).
        try (text + "  - { name: errors, kind: log, target: \(log), pattern: ERROR, owner: \(owner) }\n").write(
            to: config, atomically: true, encoding: .utf8)
        let fixed = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(fixed.status == 0, "\(fixed.stderr)")
    }

    @Test("a secret others can read is refused, by check-config and by the agent, with the chmod that fixes it")
    func worldReadableSecretIsRefused() throws {
        let directory = try Self.workspace(mode: 0o644)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = directory.appendingPathComponent("secret").path
        let message = "\(secret) can be read or written by others (mode 0644); run `chmod 600 \(secret)`"
        let check = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(check.status == 1)
        #expect(check.stderr.contains("web.yaml: secret_file: \(message)"), "\(check.stderr)")
        // The agent stops before it binds or claims anything.
        let agent = try Self.run(["agent", "-c", "web.yaml"], in: directory, limit: .seconds(20))
        #expect(agent.status == 1)
        #expect(agent.stderr.contains("secret_file: \(message)"), "\(agent.stderr)")
    }

    @Test("etcd's password file follows the same rule: group-readable a warning, readable by others an error")
    func etcdPasswordFileFollowsTheRule() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let password = directory.appendingPathComponent("etcd-password").path
        #expect(FileManager.default.createFile(atPath: password, contents: Data("etcd-pw\n".utf8)))
        let config = directory.appendingPathComponent("web.yaml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try (text + "coordination: { kind: etcd, endpoints: [\"http://127.0.0.1:2379\"], user: floatip, "
            + "password_file: \(password) }\n").write(to: config, atomically: true, encoding: .utf8)
        chmod(password, 0o640)
        let warned = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("web.yaml: coordination.password_file: warning: \(password) can be read by its group"),
                "\(warned.stderr)")
        chmod(password, 0o644)
        let refused = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("coordination.password_file: \(password) can be read or written by others (mode 0644); "
            + "run `chmod 600 \(password)`"), "\(refused.stderr)")
    }

    @Test("a secret owned by another user than root or the agent's is refused")
    func foreignOwnedSecretIsRefused() throws {
        guard geteuid() == 0 else {
            print("skipped: changing a file's owner needs root")
            return
        }
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = directory.appendingPathComponent("secret").path
        #expect(chown(secret, 65534, 65534) == 0)
        let check = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(check.status == 1)
        #expect(check.stderr.contains("belongs to uid 65534") && check.stderr.contains("chown root \(secret)"), "\(check.stderr)")
    }

    @Test func aProcessCheckByNameAloneAndAnUnknownUserAreWarnings() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("web.yaml")
        var text = try String(contentsOf: url, encoding: .utf8)
        text += """
              - { name: nginx-up, kind: process, target: nginx, weight: -10 }
              - { name: nginx-pid, kind: process, target: /run/nginx.pid, user: root, weight: -10 }
              - { name: errors, kind: log, target: /var/log/app.log, pattern: x, owner: no-such-user-floatip }

            """
        try Data(text.utf8).write(to: url)
        let run = try Self.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "web.yaml: checks[2].target: warning: any local user can start a process named nginx; give `user:` or "
                + "check a pidfile instead",
            "web.yaml: checks[4].owner: warning: no user named \"no-such-user-floatip\" on this machine; the check "
                + "fails where there is none",
        ], "\(run.stderr)")
    }

    @Test func missingConfigFileExitsOne() throws {
        let run = try Self.run(["check-config", "/nonexistent/floatip.yaml"], in: FileManager.default.temporaryDirectory)
        #expect(run.status == 1)
        #expect(run.stderr.contains("/nonexistent/floatip.yaml: cannot read the config file: no such file"))
    }

    @Test func helpShowsAnExample() throws {
        let run = try Self.run(["check-config", "--help"], in: FileManager.default.temporaryDirectory)
        #expect(run.status == 0)
        #expect(run.stdout.contains("Example:"))
        #expect(run.stdout.contains("FILE:LINE"))
    }
}
