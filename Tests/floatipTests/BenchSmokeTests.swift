import FloatIPLab
import Foundation
import Glibc
import Testing

/// The benchmark against keepalived (bench/failover.py) in its smallest form: one link-down trial
/// per system at a 20 ms interval, about 15 s. It must still drive both systems through a failover
/// and a failback, measure what the client saw, and remove every namespace and process it made.
/// The numbers themselves are not asserted: the benchmark reports them (docs/benchmarks.md).
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct BenchSmokeTests {
    /// The repository's root (this file is Tests/floatipTests/BenchSmokeTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func executable(_ name: String, in directories: [String]) -> String? {
        directories.map { $0 + "/" + name }.first(where: FileManager.default.isExecutableFile)
    }

    @Test func oneTrialPerSystemMeasuresAndRemovesEverything() async throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let keepalived = Self.executable("keepalived", in: ["/usr/sbin", "/sbin"] + path)
        let python = Self.executable("python3", in: path + ["/usr/bin"])
        guard let keepalived, let python else {
            let missing = "keepalived (scripts/test-packages.txt) or python3 is not installed"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(missing)") } else { print("skipped: \(missing)") }
            return
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-bench-smoke-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let floatip = try CLITests.floatipBinary().path
        let arguments = [
            Self.root.path + "/bench/failover.py", "--floatip", floatip, "--keepalived", keepalived, "--reps", "1",
            "--intervals", "0.02", "--no-defaults", "--sizes", "", "--idle-intervals", "", "--kinds", "link",
            "--output", output.path,
        ]
        let run = try await offPool { try Self.run(python, arguments, limit: .seconds(120)) }
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stderr.contains("8 namespaces deleted"), "\(run.stderr)")
        let leftovers = try LabShell.namespaces().filter { $0.hasPrefix("floatip-b\(run.pid)") }
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

    struct Run {
        var pid: Int32
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `program arguments…` to completion (SIGINT after `limit`: the harness then removes its labs).
    static func run(_ program: String, _ arguments: [String], limit: Duration) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGINT) }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(limit.components.seconds)), execute: watchdog)
        let errors = Thread.detachedReader(err)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return Run(pid: pid, status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }
}

extension Thread {
    /// Reads `pipe` to its end on a thread of its own (so a chatty child never blocks on a full pipe).
    fileprivate static func detachedReader(_ pipe: Pipe) -> PipeReader {
        let reader = PipeReader()
        let thread = Thread { reader.finish(pipe.fileHandleForReading.readDataToEndOfFile()) }
        thread.start()
        return reader
    }
}

/// The data a `detachedReader` read, once it has read it all.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    func finish(_ data: Data) {
        self.data = data
        done.signal()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
