import FloatIPLab
import Foundation
import Testing

/// The benchmark against keepalived (bench/failover.py) in its smallest form: one link-down trial
/// per system at a 20 ms interval, about 5 s. It must still drive both systems through a failover
/// and a failback, measure what the client saw, and remove every namespace and process it made.
/// The numbers themselves are not asserted: the benchmark reports them (docs/benchmarks.md).
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct BenchSmokeTests {
    /// The repository's root (this file is Tests/floatipTests/BenchSmokeTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func oneTrialPerSystemMeasuresAndRemovesEverything() async throws {
        guard let keepalived = ExternalTool.find("keepalived", for: "the benchmark smoke test", package: "keepalived"),
            let python = ExternalTool.find("python3", for: "the benchmark smoke test", package: "python3")
        else { return }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-bench-smoke-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        // `CLITests.run` puts the floatip binary right after the launcher: here it is --floatip's value.
        let launcher = [python, Self.root.path + "/bench/failover.py", "--floatip"]
        let arguments = [
            "--keepalived", keepalived, "--reps", "1", "--intervals", "0.02", "--no-defaults", "--sizes", "",
            "--idle-intervals", "", "--kinds", "link", "--output", output.path,
        ]
        let run = try await offPool { try CLITests.run(arguments, via: launcher, limit: .seconds(120)) }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("8 namespaces deleted"), "\(run.stderr)")
        // The harness names its namespaces floatip-b<PID>f-… and floatip-b<PID>k-…, and says its
        // prefix when it removes them (another bench may run on the machine at the same time).
        let prefix = try #require(
            run.stderr.firstMatch(of: /\((floatip-b[0-9]+)\*\)/)?.1, "no namespace prefix in: \(run.stderr)")
        let leftovers = try LabShell.namespaces().filter { name in
            name.hasPrefix(prefix + "f-") || name.hasPrefix(prefix + "k-")
        }
        #expect(leftovers.isEmpty, "namespaces left: \(leftovers)")

        let data = try Data(contentsOf: output)
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let trials = try #require(results["trials"] as? [[String: Any]])
        for system in ["floatip", "keepalived"] {
            let rows = trials.filter { $0["system"] as? String == system }
            let failover = try #require(rows.first { $0["scenario"] as? String == "failover (link down)" }, "\(system)")
            let failback = try #require(rows.first { $0["scenario"] as? String == "failback" }, "\(system)")
            // A failover at a 20 ms interval (dead after 3 to 3.26 intervals) cannot be gapless, nor take seconds.
            let outage = try #require(failover["outage"] as? Double)
            #expect(outage > 0.02 && outage < 5, "\(system) failover outage \(outage) s")
            #expect((failover["failed"] as? Int ?? 0) > 0, "\(system): requests fail while nobody holds the address")
            #expect((failback["outage"] as? Double ?? 99) < 5, "\(system) failback \(failback)")
        }
    }
}
