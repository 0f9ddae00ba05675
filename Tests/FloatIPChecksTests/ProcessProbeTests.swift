import FloatIPChecks
import FloatIPCore
import Foundation
import Testing

@Suite(.serialized) struct ProcessProbeTests {
    @Test func byNameSeesARealChildComeAndGo() async throws {
        // A name no other process has: a copy of sleep under a name of our own.
        let scratch = try ScratchDirectory("floatip-checks")
        defer { scratch.remove() }
        let name = "fipsleep\(UInt16.random(in: 1000...9999))"
        let copy = scratch.file(name)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: copy)
        let byName = try probe(check(.process, name))
        #expect(await byName.run().detail == "no process named \(name) is running")

        let child = Process()
        child.executableURL = URL(fileURLWithPath: copy)
        child.arguments = ["30"]
        try child.run()
        let result = await byName.run()
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail == "\(name) is running (pid \(child.processIdentifier))")

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let after = await byName.run()
        #expect(!after.passed && after.detail == "no process named \(name) is running")
    }

    @Test func byPidfile() async throws {
        let scratch = try ScratchDirectory("floatip-checks")
        defer { scratch.remove() }
        let pidfile = scratch.file("sleep.pid")
        let byPidfile = try probe(check(.process, pidfile))
        var result = await byPidfile.run()
        #expect(!result.passed && result.detail == "pidfile \(pidfile) does not exist")

        let sleeper = try Sleeper()
        defer { sleeper.stop() }
        try Data("\(sleeper.pid)\n".utf8).write(to: URL(fileURLWithPath: pidfile))
        result = await byPidfile.run()
        #expect(result.passed && result.detail == "pid \(sleeper.pid) from \(pidfile) is running (sleep)", "\(result.detail)")

        sleeper.stop()
        result = await byPidfile.run()
        #expect(!result.passed && result.detail == "pid \(sleeper.pid) from \(pidfile) is not running")

        try Data("garbage".utf8).write(to: URL(fileURLWithPath: pidfile))
        result = await byPidfile.run()
        #expect(!result.passed && result.detail == "pidfile \(pidfile) holds `garbage`, not a process id")
    }

    /// A child that has exited but was not reaped is a zombie: it does not count as running.
    @Test func aZombieIsNotRunning() async throws {
        let scratch = try ScratchDirectory("floatip-checks")
        defer { scratch.remove() }
        // sh starts a short-lived child with exec, then sleeps without reaping it: `exec` keeps the
        // zombie's parent alive. The pid of the (soon dead) child goes to the pidfile.
        let pidfile = scratch.file("child.pid")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "/bin/true & echo $! > \(pidfile); exec /bin/sleep 30"]
        try shell.run()
        defer {
            kill(shell.processIdentifier, SIGKILL)
            shell.waitUntilExit()
        }
        let byPidfile = try probe(check(.process, pidfile))
        var result = await byPidfile.run()
        for _ in 0..<40 where !result.detail.hasSuffix("(a zombie)") {
            try await Task.sleep(for: .milliseconds(50))
            result = await byPidfile.run()
        }
        #expect(!result.passed && result.detail.hasSuffix("has exited (a zombie)"), "\(result.detail)")
        print("zombie: \(result.detail)")
    }
}
