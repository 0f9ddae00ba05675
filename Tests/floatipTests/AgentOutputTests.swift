import FloatIPCore
import Foundation
import Glibc
import Testing

/// What an operator reads: the agent's log as JSON lines, and `floatip events --follow`.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AgentOutputTests {
    @Test func withLogFormatJSONEveryLineIsAJSONObjectNamingTheEvent() async throws {
        let lab = try AgentLab()
        try lab.start(1, ["--log-format", "json"])
        try lab.start(2, ["--log-format", "json"])
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
        let lines = lab.log(1).split(separator: "\n").map(String.init)
        #expect(lines.count >= 4, "\(lines)")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count, "lines that are not JSON: \(lines.filter { !$0.hasPrefix("{") })")
        #expect(objects.allSatisfy { $0["node"] as? String == "web1" && $0["time"] is String && $0["event"] is String })
        let transitions = objects.filter { $0["event"] as? String == "transition" }
        #expect(transitions.contains { $0["group"] as? String == "web" && $0["to"] as? String == "holder" })
        #expect(transitions.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        #expect(objects.contains { $0["event"] as? String == "mover" && $0["operation"] as? String == "claim" })
        #expect(objects.last?["message"] as? String == "stopped", "\(lines.last ?? "")")
    }

    /// Under systemd (`$JOURNAL_STREAM` names standard error) every line starts with its syslog
    /// priority, so `journalctl -p warning` shows only warnings and errors; without it, the text
    /// line names the level.
    @Test func underTheJournalEveryLineCarriesItsPriority() async throws {
        let lab = try AgentLab()
        // The event log cannot be written (a directory where the file should be): an error.
        try FileManager.default.createDirectory(at: lab.eventLog(1), withIntermediateDirectories: true)
        try lab.start(1, journal: true)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        // web1's service goes down: its check fails and it turns faulty: warnings.
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [2] } != nil, "\(lab.log(1))")
        try await Task.sleep(for: .milliseconds(200))
        lab.signal(1, SIGTERM)
        lab.signal(2, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
        #expect(try await lab.waitForExit(2) == 0)
        let lines = lab.log(1).split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.range(of: #"^<[2-7]>web1 (critical|error|warning|notice|info|debug) "#, options: .regularExpression) != nil },
                "\(lines.filter { $0.range(of: #"^<[2-7]>web1 "#, options: .regularExpression) == nil })")
        #expect(lines.contains { $0.hasPrefix("<3>web1 error ") && $0.contains("cannot open the event log") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<4>web1 warning ") && $0.contains("check service") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<4>web1 warning ") && $0.contains("holder → fault") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>web1 info starting: ") }, "\(lines)")
        // web2 was not told of a journal: time stamp, node, level, no priority.
        let plain = lab.log(2).split(separator: "\n").map(String.init)
        #expect(plain.contains { $0.range(of: #"^\d{4}-\d\d-\d\dT[0-9:.]+Z web2 info starting: "#, options: .regularExpression) != nil },
                "\(plain)")
        #expect(!plain.contains { $0.hasPrefix("<") })
    }

    @Test func eventsFollowPrintsNewEventsAsTheyHappen() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        let output = lab.directory.appendingPathComponent("follow.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let follow = Process()
        follow.executableURL = try CLITests.floatipBinary()
        follow.arguments = ["events", "--follow", "--lines", "0", "--config", lab.config(2)]
        follow.standardOutput = try FileHandle(forWritingTo: output)
        try follow.run()
        defer {
            if follow.isRunning { kill(follow.processIdentifier, SIGKILL) }
            follow.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(500))
        let before = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(before.isEmpty, "--lines 0 prints nothing old: \(before)")
        let on = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(on.status == 0, "\(on.stderr)")
        let seen = try await lab.wait(.seconds(5)) {
            ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("standby → holder")
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(seen != nil, "follow output: \(text)")
        #expect(text.contains("web"), "\(text)")
        kill(follow.processIdentifier, SIGTERM)
    }
}
