import ArgumentParser
import FloatIPChecks
import FloatIPCore
import Foundation

/// `floatip checks --config FILE`: runs every check once and prints what it found.
struct ChecksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checks",
        abstract: "Run every health check of a config once and show the results.",
        discussion: """
            The tool to run while writing the checks of a config: every check runs once, all at the \
            same time, each within its timeout (one that hangs past it by more than 1 s is reported \
            as hung). Prints a table of name, kind, result, time taken and detail; with --json, one \
            JSON object with a `checks` array instead.

            Exits 1 if any required check fails (or the config is invalid), 0 otherwise: a failing \
            weighted check is shown but does not fail the command.

            Example:
              $ floatip checks --config /etc/floatip/web1.yaml
              NAME   KIND  RESULT  TIME     DETAIL
              maint  file  pass    0.05 ms  /etc/floatip/maintenance is absent
              nginx  http  FAIL    1.2 ms   HTTP 503 from http://127.0.0.1/health
            """
    )

    @Option(name: .shortAndLong, help: "The node's YAML config file.") var config: String
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let cluster = try loadConfig(config)
        // Tracking (`track:`) runs too, as the agent runs it; witness targets need the cluster's key.
        let witnessTargets = cluster.track?.targets.contains { if case .witness = $0 { true } else { false } } ?? false
        let context = CheckContext(witness: witnessTargets
            ? WitnessIdentity(secret: try readSecret(cluster.secretFile), cluster: cluster.cluster, node: cluster.node.name)
            : nil)
        let checks = cluster.runnableChecks
        let runs = await withTaskGroup(of: (Int, CheckResult).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask { (index, await Self.runOnce(check, context: context)) }
            }
            var results = [CheckResult?](repeating: nil, count: checks.count)
            for await (index, result) in group { results[index] = result }
            return results
        }
        let rows = zip(checks, runs).map { check, result in
            CheckRow(check: check, result: result ?? CheckResult(passed: false, detail: "did not run", duration: .zero))
        }
        print(json ? CheckRow.json(rows) : CheckRow.table(rows), terminator: "")
        if rows.contains(where: { $0.check.effect == .required && !$0.result.passed }) { throw ExitCode(1) }
    }

    /// One run of one check; a check whose probe cannot be made fails with the reason.
    static func runOnce(_ check: CheckConfig, context: CheckContext = CheckContext()) async -> CheckResult {
        do {
            let probe = try CheckProbes.make(check, context: context)
            let result = await GuardedRun.run(probe).result
            await probe.shutdown()
            return result
        } catch {
            return CheckResult(passed: false, detail: "cannot start: \(error)", duration: .zero)
        }
    }
}

/// One line of the `checks` output.
struct CheckRow {
    var check: CheckConfig
    var result: CheckResult

    var resultText: String {
        if result.passed { return "pass" }
        if case .weight(let weight) = check.effect { return "fail (weight \(weight))" }
        return "FAIL"
    }

    var cells: [String] {
        [check.name, check.kind.rawValue, resultText, time, result.detail]
    }

    var time: String {
        let milliseconds = Double(result.duration.components.seconds) * 1000
            + Double(result.duration.components.attoseconds) / 1e15
        return String(format: "%.2f ms", milliseconds)
    }

    /// Columns padded to their widest cell; the detail last, unpadded.
    static func table(_ rows: [CheckRow]) -> String {
        let header = ["NAME", "KIND", "RESULT", "TIME", "DETAIL"]
        let lines = [header] + rows.map(\.cells)
        let widths = (0..<header.count - 1).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { cells in
            let padded = zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }
            return (padded + [cells[header.count - 1]]).joined(separator: "  ") + "\n"
        }.joined()
    }

    /// `{"checks":[{"name":…,"kind":…,"required":…,"passed":…,"milliseconds":…,"detail":…}],"passed":…}`.
    static func json(_ rows: [CheckRow]) -> String {
        let checks: [[String: Any]] = rows.map { row in
            var object: [String: Any] = [
                "name": row.check.name, "kind": row.check.kind.rawValue, "target": row.check.target,
                "passed": row.result.passed, "detail": row.result.detail,
                "milliseconds": Double(row.result.duration.components.seconds) * 1000
                    + Double(row.result.duration.components.attoseconds) / 1e15,
            ]
            switch row.check.effect {
            case .required: object["required"] = true
            case .weight(let weight):
                object["required"] = false
                object["weight"] = weight
            }
            return object
        }
        let passed = !rows.contains { $0.check.effect == .required && !$0.result.passed }
        let data = (try? JSONSerialization.data(
            withJSONObject: ["checks": checks, "passed": passed], options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
