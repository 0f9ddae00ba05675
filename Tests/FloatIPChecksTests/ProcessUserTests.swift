import FloatIPChecks
import FloatIPCore
import Foundation
import Testing

/// `user:` on a `process` check: a process of the same name started by another local user does not
/// satisfy a check that names its user (by name or uid), by name or by pidfile.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root: starts a process as uid 65534 with setpriv"))
struct ProcessUserTests {
    /// A copy of sleep under a name no other process has, started as uid/gid 65534 (nobody) by setpriv,
    /// which execs it (so the name and pid are the copy's). Killed by its pid.
    private static func otherUsersProcess(copy: String) throws -> Sleeper {
        try Sleeper("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", copy, "30"])
    }

    private func userCheck(_ target: String, user: String?) throws -> any CheckProbe {
        let options = ProcessCheckOptions(user: user.flatMap(LocalUser.init))
        return try probe(check(.process, target, options: .process(options)))
    }

    /// Runs `probe` until `done` holds (every 20 ms, at most 3 s): setpriv execs the copy a moment after it starts.
    private func settled(_ probe: any CheckProbe, _ done: (CheckResult) -> Bool) async throws -> CheckResult {
        var result = await probe.run()
        for _ in 0..<150 where !done(result) {
            try await Task.sleep(for: .milliseconds(20))
            result = await probe.run()
        }
        return result
    }

    @Test func aProcessOfAnotherUserDoesNotSatisfyAUserRootCheck() async throws {
        let scratch = try ScratchDirectory("floatip-checks")
        defer { scratch.remove() }
        let name = "fipuser\(UInt16.random(in: 1000...9999))"
        let copy = scratch.file(name)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: copy)
        let other = try Self.otherUsersProcess(copy: copy)
        defer { other.stop() }

        // Without `user:` anyone's process counts: that is what the option is for.
        let anyone = try userCheck(name, user: nil)
        let seen = try await settled(anyone) { $0.passed }
        #expect(seen.passed && seen.detail == "\(name) is running (pid \(other.pid))", "\(seen.detail)")

        let asRoot = try userCheck(name, user: "root")
        let refused = await asRoot.run()
        #expect(!refused.passed)
        #expect(refused.detail == "no process named \(name) is running as root (uid 0) "
            + "(1 process of that name runs as another user)", "\(refused.detail)")
        let asUID0 = await (try userCheck(name, user: "0")).run()
        #expect(!asUID0.passed && asUID0.detail.hasPrefix("no process named \(name) is running as uid 0"))

        let asNobody = await (try userCheck(name, user: "65534")).run()
        #expect(asNobody.passed && asNobody.detail == "\(name) is running as uid 65534 (pid \(other.pid))",
                "\(asNobody.detail)")

        // The pidfile form checks the user too.
        let pidfile = scratch.file("\(name).pid")
        try Data("\(other.pid)\n".utf8).write(to: URL(fileURLWithPath: pidfile))
        let byPidfile = await (try userCheck(pidfile, user: "root")).run()
        #expect(!byPidfile.passed)
        #expect(byPidfile.detail == "pid \(other.pid) from \(pidfile) (\(name)) runs as uid 65534, not as root (uid 0)",
                "\(byPidfile.detail)")

        // A root process of the same name does count for `user: root`.
        let mine = Process()
        mine.executableURL = URL(fileURLWithPath: copy)
        mine.arguments = ["30"]
        try mine.run()
        defer {
            kill(mine.processIdentifier, SIGKILL)
            mine.waitUntilExit()
        }
        let counted = try await settled(asRoot) { $0.passed }
        #expect(counted.passed && counted.detail == "\(name) is running as root (uid 0) (pid \(mine.processIdentifier))",
                "\(counted.detail)")
    }

    @Test func aUserThatDoesNotExistFailsTheCheck() async throws {
        let result = await (try userCheck("init", user: "no-such-user-floatip")).run()
        #expect(!result.passed)
        #expect(result.detail == "user: no user named \"no-such-user-floatip\" on this system")
    }
}
