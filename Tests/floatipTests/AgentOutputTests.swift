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
