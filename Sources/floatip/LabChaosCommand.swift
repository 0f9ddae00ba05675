import ArgumentParser
import FloatIPLab
import Foundation
import Glibc

/// `floatip lab chaos`: random faults on a lab of its own, judged from outside.
struct LabChaosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Throw random faults at a lab's real agents for a while and judge them from outside (root).",
        discussion: """
            Builds a lab (chaos-PID), then, one at a time with a quiet gap after each, faults drawn \
            from the seed: link down, loss bursts (10–50 % of peer datagrams), one- and two-way \
            partitions (nftables), agent stalls of 0.1–5 s (SIGSTOP/SIGCONT), SIGKILL and SIGTERM \
            with restart, failing checks, maintenance on/off, switchovers; with --etcd the agents are \
            coordinated by a 3-member etcd the lab starts, and etcd member kills (one, or two: no \
            quorum) and nodes cut off from etcd join them. An observer reads every \
            node's addresses every 10 ms (its own netlink dumps) and the client asks the floating \
            address every 5 ms; the judge checks two holders only inside the allowed windows (with \
            etcd: never), the \
            outage of each fault against its bound, no agent crash, no growth of the agents' RSS, \
            threads or descriptors. Prints a verdict table, writes a JSON report, and for each \
            violation the seed, the faults and the samples around it. Every fault and the lab are \
            removed on every way out, Ctrl-C included; leftovers of a killed run are removed by the \
            next. See docs/reliability.md. Exit codes: 0 no violation; 1 violations or a failure; \
            130 interrupted.
            """
    )

    @Option(help: "How many server nodes (2–5).") var nodes: Int = 3
    @Option(help: "How long to keep throwing faults (e.g. 2m, 10m, 1h; at most 24h).") var duration: String = "10m"
    @Option(help: "The seed the faults are drawn from (default: a random one, printed).") var seed: UInt64?
    @Option(help: "Where to write the JSON report (default: /run/floatip-lab/chaos-PID.json).") var report: String?
    @Flag(help: "Coordinate the agents through a 3-member etcd the lab starts, and add etcd faults (member kills, nodes cut off from etcd).")
    var etcd = false

    func validate() throws {
        guard (2...5).contains(nodes) else { throw ValidationError("--nodes \(nodes): a lab has 2 to 5 nodes") }
    }

    /// `--duration`, parsed and checked (here only: a usage error still ends the command before any lab exists).
    static func length(_ text: String) throws -> Duration {
        let length: Duration
        do {
            length = try parseDuration(text)
        } catch {
            throw ValidationError("--duration \(error)")
        }
        guard length >= .seconds(10), length <= .seconds(24 * 3600) else {
            throw ValidationError("--duration \(text): use 10s to 24h")
        }
        return length
    }

    func run() throws {
        var options = ChaosRun.Options()
        options.nodes = nodes
        options.duration = try Self.length(duration)
        options.seed = seed ?? UInt64.random(in: 1...999_999)
        options.etcd = etcd
        let path = report ?? "\(LabLayout.root)/\(options.name).json"
        LabInterrupt.shared.install()
        let result = try runLabStep { () throws(LabError) in
            try ChaosRun(options: options).run { line in
                print(line)
                fflush(nil)
            }
        }
        print(result.table)
        for violation in result.violations { print("\n" + result.details(violation)) }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            printError("floatip lab chaos: cannot create the report's directory: \(error)")
        }
        try runLabStep { () throws(LabError) in try result.write(to: path) }
        print("report: \(path)")
        if !result.passed { throw ExitCode(1) }
    }
}
