import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc
import Testing

@testable import FloatIPChecks

/// The `log` check cannot be turned against the agent: what a local user can put at the path or into the
/// file (a FIFO, a symbolic link to a secret, a file of their own, a line the pattern backtracks on
/// without end, a line of one huge character) fails the check within its timeout, never blocks a thread
/// of the concurrency pool, and never puts more than a few KiB into a detail.
@Suite(.serialized)
struct LogProbeHardeningTests {
    /// Catastrophic backtracking: on a run of n letters without a `b`, ICU tries every way of sharing
    /// the letters among the five stars (about n^5 steps; exponential patterns such as `^(a+)+$` stop
    /// early at ICU's backtracking stack limit, this one does not).
    static let backtrackingPattern = "a*a*a*a*a*b"
    /// Takes ICU about 3 s on the CI machines (50 letters 1 s, 100 letters 33 s): long enough to outlast
    /// every timeout here, short enough for the scan's thread to end within the test.
    static let backtrackingLine = String(repeating: "a", count: 64) + "!\n"

    private func probe(
        _ path: String, pattern: String = "ERROR", timeout: Duration = .milliseconds(300), owner: LocalUser? = nil,
        name: String = "log"
    ) throws -> LogProbe {
        let options = LogCheckOptions(pattern: pattern, owner: owner)
        let check = CheckConfig(
            name: name, kind: .log, target: path, interval: .seconds(1), timeout: timeout, options: .log(options))
        return try LogProbe(check: check, options: options)
    }

    /// The probe's result, or nil when it did not answer within `limit` (the run is left behind: before
    /// the hardening a FIFO or a backtracking pattern held the pool thread it ran on).
    private func runWithin(_ limit: Duration, _ log: LogProbe) async -> CheckResult? {
        let race = OneShot<CheckResult?>()
        Task { race.finish(await log.run()) }
        let timer = Task {
            try? await Task.sleep(for: limit)
            race.finish(nil)
        }
        defer { timer.cancel() }
        return await race.value(onCancel: nil)
    }

    /// Opens the FIFO's writing end without waiting, and closes it: lets a reader blocked in open(2) go.
    private func releaseReaders(of fifo: String) {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd) }
    }

    /// Runs `log` until a run no longer reports the scan in flight as hung (at most `limit`).
    private func waitUntilIdle(_ log: LogProbe, limit: Duration = .seconds(60)) async throws -> CheckResult {
        let end = ContinuousClock.now + limit
        var result = await log.run()
        while result.detail.hasPrefix("hung:") || result.detail.hasPrefix("timeout:"), ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(200))
            result = await log.run()
        }
        return result
    }

    @Test func aFIFOFailsAtOnceInsteadOfWaitingForAWriter() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let fifo = directory.file("app.log")
        #expect(mkfifo(fifo, 0o644) == 0)
        defer { releaseReaders(of: fifo) }
        let log = try probe(fifo)
        let result = await runWithin(.seconds(2), log)
        releaseReaders(of: fifo)
        let answered = try #require(result, "the run did not return within 2 s (blocked opening the FIFO)")
        #expect(!answered.passed)
        #expect(answered.detail == "refused: \(fifo) is a FIFO, not a regular file")
        #expect(answered.duration < .milliseconds(300))
    }

    @Test func aSymbolicLinkToAShadowFileIsNotFollowed() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        // A root-owned regular file the agent can read and a local user cannot: /etc/shadow's stand-in.
        let secret = directory.file("shadow")
        try append("root:$6$secret-hash:19000:0:99999:7:::\n", to: secret)
        let link = directory.file("app.log")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: secret)
        // A pattern that would copy the secret's lines into the detail, were the file read.
        let log = try probe(link, pattern: ".")
        let first = try #require(await runWithin(.seconds(2), log))
        #expect(!first.passed)
        #expect(first.detail == "refused: \(link) is a symbolic link (not followed)")
        // And a link to the real /etc/shadow.
        let real = directory.file("real.log")
        try FileManager.default.createSymbolicLink(atPath: real, withDestinationPath: "/etc/shadow")
        let toShadow = try #require(await runWithin(.seconds(2), try probe(real, pattern: ".")))
        #expect(!toShadow.passed && toShadow.detail.hasSuffix("is a symbolic link (not followed)"), "\(toShadow.detail)")
        #expect(!toShadow.detail.contains("root:"))
    }

    @Test func aRotationThatPutsALinkInPlaceIsRefused() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("INFO start\n", to: path)
        let log = try probe(path)
        #expect(await log.run().passed)
        let secret = directory.file("secret")
        try append("ERROR secret\n", to: secret)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: secret)
        let result = await log.run()
        #expect(!result.passed && result.detail == "refused: \(path) is a symbolic link (not followed)", "\(result.detail)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root: the file is given to another user with chown"))
    func aFileOfAnotherOwnerIsRefusedUnlessItIsTheConfiguredOwner() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("", to: path)
        #expect(chown(path, 65534, 65534) == 0)
        let rootOnly = try probe(path)
        let refused = await rootOnly.run()
        #expect(!refused.passed)
        #expect(refused.detail == "refused: \(path) is owned by uid 65534, not by uid 0", "\(refused.detail)")

        let owned = try probe(path, owner: .uid(65534))
        #expect(await owned.run().passed)
        try append("ERROR from the service\n", to: path)
        let counted = await owned.run()
        #expect(!counted.passed && counted.detail.hasSuffix("last: ERROR from the service"), "\(counted.detail)")

        let unknown = try probe(path, owner: .name("no-such-user-floatip"))
        let failure = await unknown.run()
        #expect(!failure.passed)
        #expect(failure.detail == "owner: no user named \"no-such-user-floatip\" on this system")
    }

    /// A log every user can write is a log any local user can fill with the lines that fail (or pass)
    /// the check, whoever owns it.
    @Test func aFileEveryUserCanWriteIsRefused() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("", to: path)
        #expect(chmod(path, 0o666) == 0)
        let log = try probe(path)
        let refused = await log.run()
        #expect(!refused.passed)
        #expect(refused.detail == "refused: \(path) can be written by every user (mode 0666); run `chmod o-w \(path)`",
                "\(refused.detail)")
        #expect(chmod(path, 0o644) == 0)
        #expect(await log.run().passed, "read again once the mode is fixed")
    }

    @Test func aBacktrackingLineTimesOutAndTheHungScanIsNotRepeated() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("", to: path)
        let log = try probe(path, pattern: Self.backtrackingPattern, timeout: .milliseconds(300))
        #expect(await log.run().passed)
        try append(Self.backtrackingLine, to: path)

        let timedOut = try #require(
            await runWithin(.seconds(3), log), "the run did not return (it matched on the caller's thread)")
        #expect(!timedOut.passed)
        #expect(timedOut.detail == "timeout: reading and matching \(path) took longer than 300 ms", "\(timedOut.detail)")
        #expect(timedOut.duration < .milliseconds(600), "\(timedOut.duration)")

        // While the scan has not returned, a run starts no other one: it fails at once and says so.
        let hung = await log.run()
        #expect(!hung.passed)
        #expect(hung.detail.hasPrefix("hung: reading and matching \(path) has not returned for "), "\(hung.detail)")
        #expect(hung.duration < .milliseconds(50))

        // Once it has, the check goes on from where that scan stopped.
        let after = try await waitUntilIdle(log)
        #expect(after.passed, "\(after.detail)")
        #expect(after.detail == "no lines matching \"\(Self.backtrackingPattern)\" in the last 60 s")
    }

    @Test func thePatternSeesTheFirstFourKibibytesOfALine() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("", to: path)
        let log = try probe(path)
        _ = await log.run()
        try append(String(repeating: "x", count: LogProbe.matchLimit) + "ERROR past the limit\n", to: path)
        #expect(await log.run().passed)
        try append(String(repeating: "x", count: LogProbe.matchLimit - 5) + "ERROR at the limit\n", to: path)
        #expect(await log.run().detail.hasPrefix("1 line"))
    }

    @Test func aMatchedLineOfOneHugeCharacterIsBoundedInTheDetail() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("", to: path)
        let log = try probe(path)
        _ = await log.run()
        // "ERROR e" and 30,000 combining acute accents: one character of 60 KB, under 200 characters.
        try append("ERROR e" + String(repeating: "\u{301}", count: 30_000) + "\n", to: path)
        let result = await log.run()
        #expect(!result.passed)
        #expect(result.detail.hasPrefix("1 line matching \"ERROR\""))
        #expect(result.detail.utf8.count <= DetailText.byteLimit, "\(result.detail.utf8.count) bytes")
    }

    /// The test: a FIFO, a link to /etc/shadow and backtracking lines (more checks than the pool
    /// has threads) each fail within their timeout while a periodic task on the concurrency pool, a
    /// heartbeat's stand-in, keeps its 50 ms schedule.
    @Test func badLogsFailInTimeWhileThePoolKeepsItsSchedule() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let fifo = directory.file("fifo.log")
        #expect(mkfifo(fifo, 0o644) == 0)
        defer { releaseReaders(of: fifo) }
        let link = directory.file("shadow.log")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/shadow")
        let timeout = Duration.milliseconds(300)
        var probes: [LogProbe] = [
            try probe(fifo, pattern: ".", timeout: timeout, name: "fifo"),
            try probe(link, pattern: ".", timeout: timeout, name: "shadow"),
        ]
        var backtracking: [LogProbe] = []
        for index in 0...ProcessInfo.processInfo.activeProcessorCount {
            let path = directory.file("app\(index).log")
            try append("", to: path)
            let log = try probe(path, pattern: Self.backtrackingPattern, timeout: timeout, name: "app\(index)")
            _ = await log.run()  // follows from the end
            try append(Self.backtrackingLine, to: path)
            backtracking.append(log)
        }
        probes += backtracking
        let count = probes.count

        let scheduler = CheckScheduler(probes: probes)
        let checks = Task { await scheduler.run() }
        let firstResults = Task { () -> [String: CheckResult] in
            var first: [String: CheckResult] = [:]
            for await event in scheduler.events {
                if case .result(let name, let result, _) = event, first[name] == nil { first[name] = result }
                if first.count == count { break }
            }
            return first
        }
        // The heartbeat's stand-in: 40 beats on a 50 ms grid, on the pool.
        let clock = ContinuousClock()
        let start = clock.now
        var worst = Duration.zero
        for beat in 1...40 {
            let due = start + .milliseconds(50) * beat
            try await clock.sleep(until: due)
            worst = max(worst, clock.now - due)
        }
        releaseReaders(of: fifo)
        let first = await firstResults.value
        checks.cancel()
        await checks.value
        print("log hardening: worst heartbeat lateness \(worst) with \(backtracking.count) backtracking checks")
        #expect(worst < .milliseconds(250), "a beat was \(worst) late")

        #expect(first.count == probes.count)
        for (name, result) in first.sorted(by: { $0.key < $1.key }) {
            #expect(!result.passed, "\(name): \(result.detail)")
            #expect(result.duration < timeout + .milliseconds(250), "\(name) took \(result.duration)")
            switch name {
            case "fifo": #expect(result.detail.hasSuffix("is a FIFO, not a regular file"))
            case "shadow": #expect(result.detail.hasSuffix("is a symbolic link (not followed)"))
            default: #expect(result.detail.hasPrefix("timeout: "), "\(name): \(result.detail)")
            }
        }
        // Leave no scan spinning behind for the next test.
        for log in backtracking { _ = try await waitUntilIdle(log) }
    }
}
