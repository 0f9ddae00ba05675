import FloatIPCore
import Foundation
import Testing

@testable import FloatIPChecks

/// The `command` check with real child processes.
@Suite(.serialized)
struct CommandProbeTests {
    private func probe(
        _ target: String, _ arguments: [String] = [], shell: Bool = false, timeout: Duration = .seconds(5)
    ) throws -> CommandProbe {
        let options = CommandCheckOptions(arguments: arguments, shell: shell)
        let check = CheckConfig(
            name: "cmd", kind: .command, target: target, interval: .seconds(10), timeout: timeout,
            options: .command(options))
        return try CommandProbe(check: check, options: options)
    }

    @Test func exitZeroPasses() async throws {
        let result = try await probe("/bin/true").run()
        #expect(result.passed)
        #expect(result.detail == "exit 0")
    }

    @Test func exitNonZeroFails() async throws {
        let result = try await probe("/bin/false").run()
        #expect(!result.passed)
        #expect(result.detail == "exit 1")
    }

    @Test func argumentsArePassedAsTheyAreWithoutAShell() async throws {
        let result = try await probe("/bin/echo", ["a  b", "*", "$HOME", ";", "exit 3"]).run()
        #expect(result.passed)
        #expect(result.detail == "exit 0: a  b * $HOME ; exit 3")
    }

    @Test("a command check gets PATH, LANG, LC_* and TZ of the agent's environment, nothing else")
    func theAgentsCredentialsStayInTheAgent() async throws {
        setenv("AWS_SECRET_ACCESS_KEY", "floatip-test-leak-0123456789", 1)
        defer { unsetenv("AWS_SECRET_ACCESS_KEY") }
        // The variables' names only, on one line (the detail keeps the last five lines).
        let result = try await probe("/usr/bin/env | cut -d= -f1 | sort | tr '\\n' ' '", shell: true).run()
        #expect(result.passed, "\(result.detail)")
        #expect(!result.detail.contains("AWS_SECRET_ACCESS_KEY"), "\(result.detail)")
        #expect(result.detail.contains("PATH"), "\(result.detail)")
    }

    @Test func theShellRunsOnlyWhenAsked() async throws {
        let result = try await probe(#"echo "$1 and $2"; exit 4"#, ["first", "second"], shell: true).run()
        #expect(!result.passed)
        #expect(result.detail == "exit 4: first and second")
    }

    @Test func theDetailShowsTheLastFiveLinesOfOutputAndErrors() async throws {
        let script = "for i in 1 2 3 4 5 6 7; do echo line$i; done; echo oops >&2; exit 3"
        let result = try await probe(script, shell: true).run()
        #expect(!result.passed)
        #expect(result.detail == "exit 3: line4 | line5 | line6 | line7 | oops")
    }

    @Test func plentyOfOutputIsBoundedAndDoesNotBlockTheChild() async throws {
        // 8 MB through the pipe: the child must not block on a full pipe, and only the tail is kept.
        let result = try await probe("head -c 8000000 /dev/zero | tr '\\0' x; echo; echo done", shell: true).run()
        #expect(result.passed, "\(result.detail)")
        #expect(result.detail.hasSuffix(" | done"))
        #expect(result.detail.count < 2000)
    }

    @Test func aSignalEndingIsReported() async throws {
        let result = try await probe("kill -USR1 $$", shell: true).run()
        #expect(!result.passed)
        #expect(result.detail.hasPrefix("killed by signal \(SIGUSR1)"), "\(result.detail)")
    }

    @Test func aMissingProgramFailsWithTheReason() async throws {
        let result = try await probe("/no/such/program").run()
        #expect(!result.passed)
        #expect(result.detail == "cannot run /no/such/program: No such file or directory")
    }

    @Test func aProgramThatIsNotExecutableFailsWithTheReason() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let script = directory.file("not-executable.sh")
        try "#!/bin/sh\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script)
        let result = try await probe(script).run()
        #expect(!result.passed)
        #expect(result.detail == "cannot run \(script): Permission denied")
    }

    /// Runs a shell (the group's leader) that starts a grandchild `sleep 60` and waits for it, after
    /// `setup`; returns the result and the two process ids.
    private func runHanging(setup: String = "", timeout: Duration) async throws -> (CheckResult, [Int32]) {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let pidFile = directory.file("pids")
        let script = setup + "echo $$ > \(pidFile); sleep 60 & echo $! >> \(pidFile); echo started; wait; wait"
        let command = try probe(script, shell: true, timeout: timeout)
        async let running = command.run()
        let pids = await ProcTable.pids(in: pidFile, count: 2)
        let result = await running
        #expect(pids.count == 2)
        #expect(!result.passed)
        #expect(result.detail.hasSuffix(": started"))
        return (result, pids)
    }

    @Test func aHungCommandAndItsGrandchildAreKilledAtTheTimeout() async throws {
        let (result, pids) = try await runHanging(timeout: .milliseconds(500))
        #expect(result.detail.hasPrefix("no exit within 500 ms, process group \(pids.first ?? -1) killed (SIGTERM)"))
        #expect(result.duration >= .milliseconds(500))
        #expect(result.duration < .milliseconds(1500), "took \(result.duration)")
        #expect(await ProcTable.waitUntilGone(pids), "still running: \(pids.filter { !ProcTable.isGone($0) })")
    }

    @Test func aCommandThatIgnoresSIGTERMGetsSIGKILLAfterTheGrace() async throws {
        // SIGTERM ignored by the shell and (inherited) by its grandchild.
        let (result, pids) = try await runHanging(setup: "trap '' TERM; ", timeout: .milliseconds(300))
        #expect(result.detail.contains("killed (SIGKILL after 200 ms)"), "\(result.detail)")
        #expect(result.duration >= .milliseconds(500))
        #expect(result.duration < .milliseconds(1700), "took \(result.duration)")
        #expect(await ProcTable.waitUntilGone(pids), "still running: \(pids.filter { !ProcTable.isGone($0) })")
    }

    @Test func cancellingTheRunKillsTheGroup() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let pidFile = directory.file("pids")
        let command = try probe("echo $$ > \(pidFile); exec sleep 60", shell: true, timeout: .seconds(30))
        let task = Task { await command.run() }
        let pids = await ProcTable.pids(in: pidFile, count: 1)
        task.cancel()
        let result = await task.value
        #expect(!result.passed)
        #expect(result.duration < .seconds(5))
        #expect(await ProcTable.waitUntilGone(pids))
    }

    @Test func runsAgainAndAgainWithoutLeakingDescriptors() async throws {
        let command = try probe("/bin/true")
        _ = await command.run()
        let before = ProcTable.openDescriptorCount()
        for _ in 0..<30 {
            #expect(await command.run().passed)
        }
        // A leak costs one or two descriptors a run (30 or more here); other suites running in this
        // process meanwhile (the lab's `ip` pipes) may hold a few for a moment.
        #expect(ProcTable.openDescriptorCount() < before + 10)
    }

    @Test func theChildDoesNotInheritTheAgentsDescriptors() async throws {
        // Only 0, 1, 2 (and the descriptor ls opens to read the directory) are open in the child.
        let result = try await probe("ls /proc/self/fd | wc -l", shell: true).run()
        #expect(result.passed)
        let count = Int(result.detail.split(separator: " ").last ?? "") ?? 99
        #expect(count <= 5, "\(result.detail)")
    }

    @Test func anEmptyTargetIsRefused() {
        #expect(throws: CommandProbe.ConfigError.self) { try probe("") }
    }
}
