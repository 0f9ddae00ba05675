import Foundation
import Glibc
import Testing

/// The running agent writes no core file: its core size limit is 0 from its start (`CoreDumps`,
/// which also makes it non-dumpable), so the watchdog's SIGABRT cannot put its secrets on disk.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AgentCoreDumpTests {
    @Test func theRunningAgentHasNoCoreLimit() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        let pid = try #require(lab.agents["web1"]?.processIdentifier)
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let core = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        #expect(core.split(separator: " ").dropFirst(4).prefix(2) == ["0", "0"], "\(core)")
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
    }
}
