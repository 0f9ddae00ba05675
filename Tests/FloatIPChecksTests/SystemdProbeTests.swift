import FloatIPChecks
import FloatIPCore
import Foundation
import Testing

@Suite struct SystemdProbeTests {
    static let systemdRuns = FileManager.default.fileExists(atPath: "/run/systemd/system")

    @Test(.enabled(if: !systemdRuns, "this machine runs systemd"))
    func withoutSystemdTheFailureSaysSo() async throws {
        let result = try await probe(check(.systemd, "nginx.service")).run()
        #expect(!result.passed)
        #expect(result.detail == "systemd is not running here (no /run/systemd/system)")
    }

    @Test(.enabled(if: systemdRuns, "systemd is not running here"))
    func anUnknownUnitIsInactive() async throws {
        let result = try await probe(check(.systemd, "floatip-no-such-unit.service")).run()
        #expect(!result.passed)
        #expect(result.detail.hasPrefix("floatip-no-such-unit.service is inactive"), "\(result.detail)")
    }
}
