import FloatIPCore
import Foundation
import Testing

@testable import FloatIPChecks

/// The `log` check on a real file that the test writes, renames and truncates.
@Suite(.serialized)
struct LogProbeTests {
    private func probe(_ path: String, pattern: String = "ERROR", threshold: Int = 0, window: Duration = .seconds(60))
        throws -> LogProbe
    {
        let options = LogCheckOptions(pattern: pattern, threshold: threshold, window: window)
        // A generous timeout: these tests are about following the file, and a debug build matches a
        // mebibyte of lines in about half a second.
        let check = CheckConfig(
            name: "log", kind: .log, target: path, interval: .seconds(10), timeout: .seconds(5), options: .log(options))
        return try LogProbe(check: check, options: options)
    }

    /// An empty `app.log` in `directory`, and a probe that has run once on it (so it follows from its end).
    private func followedLog(
        in directory: ScratchDirectory, threshold: Int = 0, window: Duration = .seconds(60)
    ) async throws -> (path: String, log: LogProbe) {
        let path = directory.file("app.log")
        try append("", to: path)
        let log = try probe(path, threshold: threshold, window: window)
        _ = await log.run()
        return (path, log)
    }

    @Test func historyIsNotReadAndNewMatchesCount() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append(String(repeating: "ERROR old\n", count: 50), to: path)
        let log = try probe(path, threshold: 2)
        let first = await log.run()
        #expect(first.passed)
        #expect(first.detail == "no lines matching \"ERROR\" in the last 60 s")

        try append("INFO fine\nERROR one\nERROR two\n", to: path)
        let second = await log.run()
        #expect(second.passed)
        #expect(second.detail == "2 lines matching \"ERROR\" in the last 60 s (at most 2); last: ERROR two")

        try append("ERROR three\nINFO fine\n", to: path)
        let third = await log.run()
        #expect(!third.passed)
        #expect(third.detail == "3 lines matching \"ERROR\" in the last 60 s (more than 2); last: ERROR three")
    }

    @Test func aPartialLineWaitsForItsEnd() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let (path, log) = try await followedLog(in: directory, threshold: 5)
        try append("ERROR par", to: path)
        #expect(await log.run().detail == "no lines matching \"ERROR\" in the last 60 s")
        try append("tial\r\n", to: path)
        #expect(await log.run().detail == "1 line matching \"ERROR\" in the last 60 s (at most 5); last: ERROR partial")
    }

    @Test func matchesLeaveTheWindow() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let (path, log) = try await followedLog(in: directory, window: .milliseconds(300))
        try append("ERROR now\n", to: path)
        let failing = await log.run()
        #expect(!failing.passed)
        #expect(failing.detail == "1 line matching \"ERROR\" in the last 300 ms (more than 0); last: ERROR now")
        try await Task.sleep(for: .milliseconds(400))
        let passing = await log.run()
        #expect(passing.passed)
        #expect(passing.detail == "no lines matching \"ERROR\" in the last 300 ms")
    }

    @Test func followsARenameRotation() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append("ERROR history\n", to: path)
        let log = try probe(path, threshold: 10)
        _ = await log.run()
        // Written to the old file after the last run, then the file is rotated away (logrotate's create).
        try append("ERROR last words of the old file\n", to: path)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try append("INFO new file\nERROR new one\nERROR new two\n", to: path)
        let result = await log.run()
        #expect(result.detail == "3 lines matching \"ERROR\" in the last 60 s (at most 10); last: ERROR new two")
        // And keeps following the new file only.
        try append("ERROR old file again\n", to: path + ".1")
        try append("ERROR new three\n", to: path)
        #expect(await log.run().detail.hasPrefix("4 lines"))
    }

    @Test func aRotationThatLeavesThePathEmptyForAWhile() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let (path, log) = try await followedLog(in: directory, threshold: 10)
        try append("ERROR before\n", to: path)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        // The old file is still open: its last lines are read, and the check still passes.
        let between = await log.run()
        #expect(between.passed)
        #expect(between.detail.hasPrefix("1 line matching"))
        try append("ERROR after\n", to: path)
        #expect(await log.run().detail.hasPrefix("2 lines matching"))
    }

    @Test func followsATruncation() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("app.log")
        try append(String(repeating: "INFO a fairly long line of history\n", count: 20), to: path)
        let log = try probe(path, threshold: 10)
        _ = await log.run()
        // copytruncate: the file is emptied in place and written again from its start.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.close()
        try append("ERROR after truncate\n", to: path)
        let result = await log.run()
        #expect(result.detail == "1 line matching \"ERROR\" in the last 60 s (at most 10); last: ERROR after truncate")
    }

    @Test func aFileThatAppearsLaterIsReadFromItsStart() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let path = directory.file("later.log")
        let log = try probe(path)
        let missing = await log.run()
        #expect(missing.passed)
        #expect(missing.detail.hasSuffix("\(path) does not exist (yet)"))
        try append("ERROR first line\n", to: path)
        let result = await log.run()
        #expect(!result.passed)
        #expect(result.detail.hasSuffix("last: ERROR first line"))
    }

    @Test func aRunReadsAtMostOneMebibyteAndTheNextOneGoesOn() async throws {
        let directory = try ScratchDirectory("floatip-checks")
        defer { directory.remove() }
        let (path, log) = try await followedLog(in: directory, threshold: 1_000_000)
        // 2.5 MiB of 8-byte lines: 327,680 lines; a run reads 1 MiB (131,072 lines).
        let line = "ERROR x\n"
        try append(String(repeating: line, count: (5 << 20) / 2 / line.utf8.count), to: path)
        #expect(await log.run().detail.hasPrefix("131072 lines"))
        #expect(await log.run().detail.hasPrefix("262144 lines"))
        #expect(await log.run().detail.hasPrefix("327680 lines"))
        #expect(await log.run().detail.hasPrefix("327680 lines"))
    }

    @Test func aPatternThatDoesNotCompileIsRefused() {
        #expect(throws: LogProbe.ConfigError.self) { try probe("/var/log/x.log", pattern: "([") }
    }

    @Test func aRelativePathIsRefused() {
        #expect(throws: LogProbe.ConfigError.self) { try probe("x.log") }
    }
}
