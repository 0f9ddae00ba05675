import Foundation
import Glibc
import Testing

/// SIGHUP, which keepalived users send to reload: the agent has no reload, so it keeps running and
/// holding (the signal's default would end it without a hand-over) and says what the file holds now.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AgentHangupTests {
    @Test func aHangupKeepsTheAgentRunningAndJudgesTheConfigFile() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")

        lab.signal(1, SIGHUP)
        #expect(try await lab.wait(.seconds(2)) { lab.log(1).contains("is unchanged") } != nil, "\(lab.log(1))")
        #expect(lab.log(1).contains("SIGHUP: there is no reload"))

        // A broken file is judged, not applied: the agent goes on as it was.
        let file = lab.config(1)
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try (original + "\nunknown_key: 1\n").write(toFile: file, atomically: true, encoding: .utf8)
        lab.signal(1, SIGHUP)
        #expect(try await lab.wait(.seconds(2)) { lab.log(1).contains("is not valid") } != nil, "\(lab.log(1))")
        #expect(lab.log(1).contains("unknown_key"), "the problem is named")

        try original.replacingOccurrences(of: "priority: 240", with: "priority: 241").write(
            toFile: file, atomically: true, encoding: .utf8)
        lab.signal(1, SIGHUP)
        #expect(try await lab.wait(.seconds(2)) { lab.log(1).contains("has changed and is valid") } != nil, "\(lab.log(1))")

        try await Task.sleep(for: .milliseconds(300))
        #expect(try lab.holders() == [1], "still running and holding after three hang-ups")
        #expect(lab.events(1).contains { $0["event"] as? String == "hangup" }, "recorded in the event log")
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0, "and it still stops cleanly")
    }
}
