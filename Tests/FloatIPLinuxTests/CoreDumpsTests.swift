import FloatIPLinux
import Foundation
import Glibc
import Testing

/// `CoreDumps.disable()` in this very process, read back through prctl and /proc, then undone.
@Suite(.serialized)
struct CoreDumpsTests {
    @Test("disable() makes the process non-dumpable with a core size limit of 0")
    func disableTurnsCoreDumpsOff() throws {
        guard geteuid() == 0 else {
            print("skipped: restoring the core limit afterwards needs root (CAP_SYS_RESOURCE)")
            return
        }
        var saved = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &saved)
        let wasDumpable = CoreDumps.isDumpable
        defer {
            setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &saved)
            if wasDumpable { CoreDumps.makeDumpableForTests() }
        }
        try CoreDumps.disable()
        #expect(!CoreDumps.isDumpable)
        let limits = try String(contentsOfFile: "/proc/self/limits", encoding: .utf8)
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }
        #expect(core?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(core ?? "")")
    }
}
