import FloatIPAssembly
import FloatIPCore
import Foundation
import Testing

/// `ConfigValidation.validate`, the rules `floatip check-config` applies, one family per test: each
/// problem names its field and, where the config's text has one, its line.
@Suite struct ConfigValidationTests {
    /// Validates `yaml` as `web.yaml`.
    func validate(_ yaml: String, in workspace: Workspace) throws -> ConfigValidation {
        ConfigValidation.validate(try workspace.config(yaml), file: "web.yaml", yaml: yaml)
    }

    @Test func aCleanConfigHasNoProblemAndNoWarning() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let found = try validate(workspace.yaml(), in: workspace)
        #expect(found.problems.isEmpty, "\(found.problems)")
        #expect(found.warnings.isEmpty, "\(found.warnings)")
    }

    @Test("a command check's program: missing, a directory, not executable")
    func commandPrograms() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let script = try workspace.write("probe.sh", "#!/bin/sh\nexit 0\n", mode: 0o644)
        let yaml = workspace.yaml(extra: """
            checks:
              - { name: missing, kind: command, target: /nonexistent/floatip-probe }
              - { name: directory, kind: command, target: \(workspace.directory.path) }
              - { name: plain, kind: command, target: \(script) }
              - { name: shell, kind: command, target: "/nonexistent/x || true", shell: true }

            """)
        let found = try validate(yaml, in: workspace)
        #expect(found.problems.map(\.description) == [
            "web.yaml:14: checks[0].target: /nonexistent/floatip-probe does not exist; a command check needs a program it can run",
            "web.yaml:15: checks[1].target: \(workspace.directory.path) is a directory, not a program",
            "web.yaml:16: checks[2].target: \(script) is not executable by this user; run `chmod +x \(script)` (or fix its owner)",
        ])
    }

    @Test("a script mover's programs and options, an azure-lb mover's options: each problem on its line")
    func scriptAndAzureLBMovers() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let plain = try workspace.write("vip.sh", "#!/bin/sh\nexit 0\n", mode: 0o644)
        let yaml = workspace.yaml(groups: """
              - name: web
                addresses: [198.18.0.100/32]
                priority: 100
                mover:
                  kind: script
                  claim: /nonexistent/vip-claim
                  release: \(plain)
                  holder: vip-holder
                  claim_timeout: 0s
                  colour: blue
              - name: lb
                addresses: [198.18.0.101/32]
                priority: 100
                mover: { kind: azure-lb, port: http, path: healthz }

            """)
        let found = try validate(yaml, in: workspace)
        let lines = found.problems.map(\.description)
        #expect(lines.contains("web.yaml:16: groups[0].mover.holder: `vip-holder` is not an absolute path; give the program's "
            + "full path (e.g. `/usr/local/sbin/vip-holder`), or set `shell: true` to run it as a line for /bin/sh"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("web.yaml:17: groups[0].mover.claim_timeout: 0s is too short") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("web.yaml:18: groups[0].mover.colour: unknown option for the `script` mover") }, "\(lines)")
        // The programs are checked once the options are right.
        #expect(!lines.contains { $0.contains("vip-claim does not exist") })
        #expect(lines.contains { $0.hasPrefix("web.yaml:") && $0.contains("groups[1].mover.port: `http` is not a TCP port") }, "\(lines)")
        #expect(lines.contains { $0.contains("groups[1].mover.path: `healthz` is not an HTTP path") }, "\(lines)")

        let fixed = workspace.yaml(groups: """
              - name: web
                addresses: [198.18.0.100/32]
                priority: 100
                mover: { kind: script, claim: /nonexistent/vip-claim, release: \(plain), holder: \(workspace.directory.path) }

            """)
        #expect(try validate(fixed, in: workspace).problems.map(\.description) == [
            "web.yaml:12: groups[0].mover.claim: /nonexistent/vip-claim does not exist; the mover runs it to claim (or set `shell: true`)",
            "web.yaml:12: groups[0].mover.release: \(plain) is not executable by this user; run `chmod +x \(plain)` (or fix its owner)",
            "web.yaml:12: groups[0].mover.holder: \(workspace.directory.path) is a directory, not a program",
        ])
        // A program others may change: a warning (the agent runs it as root).
        let shared = try workspace.write("shared.sh", "#!/bin/sh\nexit 0\n", mode: 0o777)
        chmod(shared, 0o777)  // past the umask
        let warned = try validate(workspace.yaml(groups: """
              - name: web
                addresses: [198.18.0.100/32]
                priority: 100
                mover: { kind: script, claim: \(shared) }

            """), in: workspace)
        #expect(warned.problems.isEmpty, "\(warned.problems)")
        #expect(warned.warnings.map(\.description).contains { $0.contains("groups[0].mover.claim: warning: \(shared) is writable by its group or by everyone") },
            "\(warned.warnings)")
    }

    @Test("a log the agent would refuse to read (a symbolic link) names the file")
    func logTargets() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let log = try workspace.write("app.log", "start\n", mode: 0o644)
        let link = workspace.path("current.log")
        #expect(symlink(log, link) == 0)
        let yaml = workspace.yaml(extra: """
            checks:
              - { name: linked, kind: log, target: \(link), pattern: ERROR }

            """)
        let found = try validate(yaml, in: workspace)
        #expect(found.problems.count == 1)
        let problem = try #require(found.problems.first)
        #expect(problem.path == "checks[0].target" && problem.line == 14)
        #expect(problem.message.contains("the agent will not read it: \(link) is a symbolic link"), "\(problem)")
    }

    @Test("a clean stop longer than the unit's TimeoutStopSec is a warning naming the drop-in to raise it")
    func stopTimeout() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        // 5 s + the default 5 s hook timeout + 7 s fits in 30 s; 20 s + 5 s + 7 s does not.
        let fits = try validate(workspace.yaml(extra: "timers: { handover_timeout: 18s }\n"), in: workspace)
        #expect(fits.warnings.isEmpty, "\(fits.warnings)")
        let found = try validate(workspace.yaml(extra: "timers: { handover_timeout: 20s }\n"), in: workspace)
        #expect(found.problems.isEmpty, "\(found.problems)")
        #expect(found.warnings.map(\.description) == [
            "web.yaml: timers.handover_timeout: warning: a clean stop may take up to 32 s (handover_timeout + the "
                + "longest hook timeout + 7 s), longer than the packaged unit's TimeoutStopSec=30: systemd would kill "
                + "the agent in the middle of a handover. Under systemd, raise it: `systemctl edit floatip`, then "
                + "[Service] TimeoutStopSec=37",
        ])
    }

    @Test("a process by name alone and an unknown user are warnings, not problems")
    func checkUsers() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let yaml = workspace.yaml(extra: """
            checks:
              - { name: nginx-up, kind: process, target: nginx, weight: -10 }
              - { name: errors, kind: log, target: /var/log/app.log, pattern: x, owner: no-such-user-floatip }

            """)
        let found = try validate(yaml, in: workspace)
        #expect(found.problems.isEmpty, "\(found.problems)")
        #expect(found.warnings.map(\.description) == [
            "web.yaml: checks[0].target: warning: any local user can start a process named nginx; give `user:` or "
                + "check a pidfile instead",
            "web.yaml: checks[1].owner: warning: no user named \"no-such-user-floatip\" on this machine; the check "
                + "fails where there is none",
        ])
    }

    @Test("the secret and the token: missing, short, readable by others (problems), readable by the group (a warning)")
    func keyFiles() throws {
        let short = try Workspace(secret: "  short \n")
        defer { short.remove() }
        let shortFound = try validate(short.yaml(), in: short)
        #expect(shortFound.problems.map(\.description) == [
            "web.yaml: secret_file: \(short.path("secret")) holds 5 bytes after trimming white space; at least 16 are required",
        ])

        let missing = try Workspace()
        defer { missing.remove() }
        try FileManager.default.removeItem(atPath: missing.path("secret"))
        let missingFound = try validate(missing.yaml(), in: missing)
        #expect(missingFound.problems.count == 1)
        #expect(missingFound.problems.first?.path == "secret_file")
        #expect(missingFound.problems.first?.message.hasPrefix("\(missing.path("secret")) does not exist; create it") == true)

        let open = try Workspace(mode: 0o644)
        defer { open.remove() }
        let secret = open.path("secret")
        let openFound = try validate(open.yaml(), in: open)
        #expect(openFound.problems.map(\.description) == [
            "web.yaml: secret_file: \(secret) can be read or written by others (mode 0644); run `chmod 600 \(secret)`",
        ])

        let group = try Workspace(mode: 0o640)
        defer { group.remove() }
        let groupFound = try validate(group.yaml(), in: group)
        #expect(groupFound.problems.isEmpty, "\(groupFound.problems)")
        #expect(groupFound.warnings.count == 1)
        #expect(groupFound.warnings.first?.path == "secret_file")
        #expect(groupFound.warnings.first?.message.contains("mode 0640") == true, "\(groupFound.warnings)")

        let token = try Workspace()
        defer { token.remove() }
        let tokenFile = try token.write("token", "tiny\n")
        let yaml = token.yaml().replacingOccurrences(of: "listen: \"off\" }", with: "listen: \"off\", token_file: \(tokenFile) }")
        let tokenFound = try validate(yaml, in: token)
        #expect(tokenFound.problems.map(\.description) == [
            "web.yaml: api.token_file: \(tokenFile) holds 4 bytes after trimming white space; at least 16 are required",
        ])
    }

    @Test("a dns mover's options and its TSIG key file")
    func dnsMoverOptions() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let groups = """
              - name: web
                priority: 100
                mover: { kind: dns, server: "127.0.0.1:53", zone: example.test, name: vip.example.test, key_file: \(workspace.path("tsig.key")), ttl: soon }

            """
        let found = try validate(workspace.yaml(groups: groups), in: workspace)
        #expect(found.problems.count == 1)
        let problem = try #require(found.problems.first)
        #expect(problem.path == "groups[0].mover.ttl" && problem.line == 11, "\(problem)")
        #expect(problem.message.contains("`soon` is not a TTL"), "\(problem)")

        let missingKey = groups.replacingOccurrences(of: ", ttl: soon", with: "")
        let keyFound = try validate(workspace.yaml(groups: missingKey), in: workspace)
        #expect(keyFound.problems.map(\.path) == ["groups[0].mover.key_file"])
        #expect(keyFound.problems.first?.message.contains("cannot read key_file \(workspace.path("tsig.key"))") == true,
                "\(keyFound.problems)")
    }

    @Test("a cloud mover's options, each named under groups[N].mover")
    func cloudMoverOptions() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let keyFile = try workspace.write("aws.secret", "aws-secret-key-0123456789\n")
        let groups = """
              - name: web
                addresses: [198.18.0.100/32]
                priority: 100
                mover:
                  kind: aws
                  region: us-east-1
                  access_key_id: AKIAEXAMPLE
                  secret_key_file: \(keyFile)
                  instance_id: i-0123456789

            """
        let found = try validate(workspace.yaml(groups: groups), in: workspace)
        #expect(found.problems.contains { $0.path == "groups[0].mover.allocation_id" && $0.message.contains("missing") },
                "\(found.problems)")
        #expect(found.problems.allSatisfy { $0.path.hasPrefix("groups[0].mover.") && $0.line != nil }, "\(found.problems)")
    }

    @Test("etcd coordination: a missing password file is a problem, a group-readable one a warning")
    func coordinationFiles() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let password = workspace.path("etcd-password")
        let yaml = workspace.yaml(extra: """
            coordination: { kind: etcd, endpoints: ["http://127.0.0.1:2379"], user: floatip, password_file: \(password) }

            """)
        let missing = try validate(yaml, in: workspace)
        #expect(missing.problems.map(\.path) == ["coordination.password_file"], "\(missing.problems)")
        #expect(missing.problems.first?.line == 13)
        #expect(missing.problems.first?.message.contains(password) == true, "\(missing.problems)")

        try workspace.write("etcd-password", "etcd-pw\n", mode: 0o640)
        let readable = try validate(yaml, in: workspace)
        #expect(readable.problems.isEmpty, "\(readable.problems)")
        #expect(readable.warnings.map(\.path) == ["coordination.password_file"])
        #expect(readable.warnings.first?.description.hasPrefix(
            "web.yaml: coordination.password_file: warning: \(password) can be read by its group") == true)
    }

    @Test("an API listening beyond loopback is a warning: no TLS")
    func apiListen() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let yaml = workspace.yaml().replacingOccurrences(of: "listen: \"off\"", with: "listen: \"0.0.0.0:7454\"")
        let found = try validate(yaml, in: workspace)
        #expect(found.problems.isEmpty)
        #expect(found.warnings.map(\.path) == ["api.listen"])
        #expect(found.warnings.first?.message.hasPrefix("0.0.0.0:7454 is not a loopback address and the API has no TLS") == true)
    }
}
