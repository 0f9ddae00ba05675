import Foundation
import Testing

/// `floatip checks` and the check-related parts of `floatip check-config`, run as an operator would.
@Suite(.serialized) struct ChecksCommandTests {
    /// A workspace whose config has the given `checks:` lines (the first on line 12); `$DIR` in them
    /// stands for the workspace's path. It holds a file `plain` (mode 0644). Its group is on `lo`, so the
    /// implicit `link lo` (interface tracking) passes on any machine.
    static func workspace(checks: String) throws -> URL {
        let directory = try CLITests.workspace()
        let plain = directory.appendingPathComponent("plain")
        try Data("not a program\n".utf8).write(to: plain)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: plain.path)
        let url = directory.appendingPathComponent("web.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let range = text.range(of: "checks:\n  - { name: nginx") else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let head = text[..<range.lowerBound].replacingOccurrences(of: "interface: eth0", with: "interface: lo")
        let lines = checks.replacingOccurrences(of: "$DIR", with: directory.path)
        try Data((head + "checks:\n" + lines + "\n").utf8).write(to: url)
        return directory
    }

    @Test func fileAndProcessChecksPrintATableAndExitZero() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer {
            sleeper.terminate()
            sleeper.waitUntilExit()
        }
        let directory = try Self.workspace(checks: """
              - { name: maint, kind: file, target: /nonexistent/maintenance, expect: absent }
              - { name: sleeper, kind: process, target: sleep }
              - { name: ghost, kind: process, target: floatip-no-such-process, weight: -10 }
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["checks", "--config", "web.yaml"], in: directory)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(run.stdout)")
        #expect(lines.first?.hasPrefix("NAME     KIND       RESULT") == true, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("maint ") && $0.contains(" pass ")
            && $0.hasSuffix("/nonexistent/maintenance is absent") })
        #expect(lines.contains { $0.hasPrefix("sleeper ") && $0.contains(" pass ") && $0.contains("sleep is running") })
        #expect(lines.contains { $0.hasPrefix("ghost ") && $0.contains("fail (weight -10)")
            && $0.hasSuffix("no process named floatip-no-such-process is running") })
        // Interface tracking's implicit check runs like any other, under a name the operator recognises.
        #expect(lines.last?.hasPrefix("link lo  interface  pass ") == true && lines.last?.hasSuffix("lo is up and running") == true,
                "\(run.stdout)")
        #expect(lines.dropFirst().allSatisfy { $0.contains(" ms ") })
    }

    @Test func aFailingRequiredCheckExitsOneAndJSONSaysWhy() throws {
        let directory = try Self.workspace(checks: """
              - { name: maint, kind: file, target: $DIR/plain, expect: absent }
              - { name: here, kind: file, target: $DIR/plain }
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try CLITests.run(["checks", "--config", "web.yaml"], in: directory)
        #expect(table.status == 1)
        #expect(table.stdout.contains("FAIL") && table.stdout.contains("/plain exists (the check expects it absent)"))
        let run = try CLITests.run(["checks", "--config", "web.yaml", "--json"], in: directory)
        #expect(run.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["passed"] as? Bool == false)
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.map { $0["name"] as? String } == ["maint", "here", "link lo"])
        #expect(checks.map { $0["passed"] as? Bool } == [false, true, true])
        #expect(checks[2]["kind"] as? String == "interface" && checks[2]["target"] as? String == "lo")
        #expect(checks[0]["required"] as? Bool == true)
        #expect(checks[0]["kind"] as? String == "file")
        #expect((checks[1]["milliseconds"] as? Double).map { $0 >= 0 && $0 < 1000 } == true)
    }

    @Test func checkConfigRejectsAMissingOrNonExecutableProgram() throws {
        let directory = try Self.workspace(checks: """
              - { name: gone, kind: command, target: /nonexistent/check-load }
              - { name: plain, kind: command, target: $DIR/plain }
              - { name: sh, kind: command, target: "/nonexistent/x || true", shell: true }
              - { name: fine, kind: command, target: /bin/true }
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["check-config", "web.yaml"], in: directory)
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines == [
            "web.yaml:12: checks[0].target: /nonexistent/check-load does not exist; a command check needs a program "
                + "it can run",
            "web.yaml:13: checks[1].target: \(directory.path)/plain is not executable by this user; run `chmod +x "
                + "\(directory.path)/plain` (or fix its owner)",
        ], "\(run.stderr)")
    }
}
