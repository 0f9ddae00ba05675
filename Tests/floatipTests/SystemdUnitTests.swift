import Foundation
import Testing

/// packaging/floatip.service: the directives the agent relies on, and systemd's own verdict.
@Suite struct SystemdUnitTests {
    /// `KEY=VALUE` lines of the unit, by key (a key given twice keeps both values).
    static func directives() throws -> [String: [String]] {
        let text = try String(contentsOf: PackagingFiles.url("packaging/floatip.service"), encoding: .utf8)
        var found: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            found[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return found
    }

    @Test func theUnitIsANotifyServiceWithAWatchdogAndOnlyTheNetworkCapabilities() throws {
        let unit = try Self.directives()
        #expect(unit["Type"] == ["notify"])
        #expect(unit["Restart"] == ["on-failure"])
        #expect(unit["WatchdogSec"]?.first.flatMap { Int($0) }.map { $0 > 0 } == true)
        #expect(unit["NoNewPrivileges"] == ["yes"])
        #expect(unit["ProtectSystem"] == ["strict"])
        #expect(unit["CapabilityBoundingSet"] == ["CAP_NET_ADMIN CAP_NET_RAW"])
        #expect(unit["AmbientCapabilities"] == ["CAP_NET_ADMIN CAP_NET_RAW"])
        #expect(unit["ExecStart"] == ["/usr/bin/floatip agent --config /etc/floatip/floatip.yaml"])
        // systemctl reload: the file is checked first (a bad one fails the reload), then SIGHUP applies it.
        #expect(unit["ExecReload"] == ["/usr/bin/floatip check-config /etc/floatip/floatip.yaml", "/bin/kill -HUP $MAINPID"])
        // The example config's event log must be writable under ProtectSystem=strict.
        let example = try String(contentsOf: PackagingFiles.url("packaging/floatip.yaml"), encoding: .utf8)
        let eventLog = try #require(example.split(separator: "\n").first { $0.hasPrefix("event_log: ") })
        let writable = (unit["ReadWritePaths"] ?? []).flatMap { $0.split(separator: " ") }
        #expect(writable.contains { eventLog.dropFirst("event_log: ".count).hasPrefix($0 + "/") }, "\(eventLog) vs \(writable)")
    }

    @Test func theSandboxKeepsTheAPISocketAndAddsWhatDoesNotBreakNetlinkRawSocketsOrHooks() throws {
        let unit = try Self.directives()
        #expect(unit["RuntimeDirectory"] == ["floatip"])
        #expect(unit["SupplementaryGroups"] == ["floatip"], "the agent gives its socket group floatip")
        #expect(unit["SystemCallFilter"] == ["@system-service"])
        for key in ["ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups", "PrivateIPC",
                    "LockPersonality", "RestrictRealtime"] {
            #expect(unit[key] == ["yes"], "\(key)")
        }
        #expect(unit["LimitCORE"] == ["0"])
        let nofile = try #require(unit["LimitNOFILE"]?.first.flatMap { Int($0) })
        #expect(nofile >= 256 + 64 + 256, "the API's caps and room for checks, hooks and movers")
        // JIT-compiled hooks need writable and executable memory.
        #expect(unit["MemoryDenyWriteExecute"] == nil)
    }

    @Test func systemdAnalyzeSecurityRatesItBelow3() throws {
        guard let analyze = ExternalTool.find("systemd-analyze", for: "rating the unit", package: "systemd") else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: PackagingFiles.url("packaging/floatip.service"),
                                         to: directory.appendingPathComponent("floatip.service"))
        // --offline reads the file; run from its directory, as it takes a unit name.
        let run = try ExternalTool.run(["/bin/sh", "-c", "cd \(directory.path) && \(analyze) security --offline=yes floatip.service"])
        let line = run.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        print("systemd-analyze security: \(line)")
        let value = try #require(score, "\(run.stdout)\n\(run.stderr)")
        #expect(value < 3.0, "\(line)")
    }

    @Test func systemdAnalyzeVerifiesIt() throws {
        guard let analyze = ExternalTool.find("systemd-analyze", for: "verifying the unit", package: "systemd") else { return }
        // verify checks that ExecStart's program exists: point it at the built binary, in a copy.
        let binary = try CLITests.floatipBinary().path
        let text = try String(contentsOf: PackagingFiles.url("packaging/floatip.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/floatip", with: binary)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let unit = directory.appendingPathComponent("floatip.service")
        try Data(text.utf8).write(to: unit)
        let run = try ExternalTool.run([analyze, "verify", "--man=no", unit.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "warnings: \(run.stderr)")
        // And it can fail: an unknown directive is reported.
        try Data((text + "Bogus=1\n").utf8).write(to: unit)
        let bad = try ExternalTool.run([analyze, "verify", "--man=no", unit.path])
        #expect(bad.stderr.contains("Unknown key") || bad.stderr.contains("Unknown key name"), "\(bad.stderr)")
    }
}
