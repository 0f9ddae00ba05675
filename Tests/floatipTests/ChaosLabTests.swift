@testable import FloatIPLab
import Foundation
import Glibc
import Testing

/// `floatip lab chaos` on real namespaces and agents, as root: the observer's own netlink dump,
/// the clean-up of a killed run's leftovers and of an interrupted run (with and without etcd), and
/// CI's fixed-seed runs with zero violations (2 minutes; 70 s with `--etcd`). Without nftables (or
/// etcd, for `--etcd`) they print why and pass.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct ChaosLabTests {
    /// nftables, which most of these need; nil (the test skipped, with the reason) without it.
    static func nft() -> String? { ExternalTool.find("nft", for: "the chaos test", package: "nftables") }

    @Test func theObserversDumpSeesTheAddressComeAndGo() async throws {
        try await offPool { try Self.observeTheAddressComeAndGo() }
    }

    static func observeTheAddressComeAndGo() throws {
        let namespace = "fipobs\(getpid())x\(UInt16.random(in: 0...0xFFFF))"
        try LabShell.ip("netns", "add", namespace)
        defer { _ = try? LabShell.ip("netns", "del", namespace) }
        try LabShell.ip("-n", namespace, "link", "add", "d0", "type", "veth", "peer", "name", "d1")
        try LabShell.ip("-n", namespace, "link", "set", "d0", "up")
        try LabShell.ip("-n", namespace, "addr", "add", "198.18.0.7/24", "dev", "d0")
        let dump = try ChaosAddressDump(namespace: namespace)
        let vip: [UInt8] = [198, 18, 0, 100]
        #expect(dump.has(vip) == false)
        try LabShell.ip("-n", namespace, "addr", "add", "198.18.0.100/32", "dev", "d0", "valid_lft", "3", "preferred_lft", "3")
        #expect(dump.has(vip) == true)
        #expect(dump.has([198, 18, 0, 7]) == true)
        try LabShell.ip("-n", namespace, "addr", "del", "198.18.0.100/32", "dev", "d0")
        #expect(dump.has(vip) == false)
        // What a look costs (the observer makes one per node every 10 ms).
        let clock = ContinuousClock()
        let cost = clock.measure { for _ in 0..<1000 { _ = dump.has(vip) } } / 1000
        print("one netlink address dump: \(cost)")
        #expect(cost < .milliseconds(2), "a dump took \(cost)")
    }

    /// A run killed with SIGKILL leaves its lab, a stopped agent and nftables rules; the next run
    /// removes them by name, and leaves a lab whose run still goes (its PID alive) alone.
    @Test func theNextRunRemovesAKilledRunsLeftoversByNameOnly() async throws {
        guard Self.nft() != nil else { return }
        try await offPool { try Self.removeAKilledRunsLeftovers() }
    }

    static func removeAKilledRunsLeftovers() throws {
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = try LabLayout(name: "chaos-\(gone.processIdentifier)")
        let alive = try LabLayout(name: "chaos-\(getpid())")
        defer {
            _ = try? Lab.down(dead)
            _ = try? Lab.down(alive)
        }
        try LabShell.ip("netns", "add", dead.namespace(node: 1))
        try LabShell.ip("netns", "add", alive.namespace(node: 1))
        try FileManager.default.createDirectory(atPath: dead.directory, withIntermediateDirectories: true)
        // Its etcd's data directory, outside the lab's (LabEtcd).
        try FileManager.default.createDirectory(atPath: dead.etcdDirectory + "/m1", withIntermediateDirectories: true)
        try LabShell.ip(["netns", "exec", dead.namespace(node: 1), "nft",
                         "add table inet floatipchaos; add chain inet floatipchaos in { type filter hook input priority 0; }"])
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: try LabShell.ipTool())
        sleeper.arguments = ["netns", "exec", dead.namespace(node: 1), "sleep", "60"]
        try sleeper.run()
        let pid = sleeper.processIdentifier
        for _ in 0..<200 where !((try? LabShell.ip("netns", "pids", dead.namespace(node: 1))) ?? "").contains("\(pid)") { usleep(10_000) }
        kill(pid, SIGSTOP)

        // Another dead run's leftovers (a CI machine reused after a killed run) go too; a live one never.
        let removed = try ChaosLeftovers.remove()
        #expect(removed.contains(dead.name))
        #expect(!removed.contains(alive.name))
        for name in removed { #expect(ChaosLeftovers.isChaosName(name), "\(name)") }
        let namespaces = try LabShell.namespaces()
        #expect(!namespaces.contains(dead.namespace(node: 1)))
        #expect(namespaces.contains(alive.namespace(node: 1)), "a running run's lab is left alone")
        #expect(!FileManager.default.fileExists(atPath: dead.directory))
        #expect(!FileManager.default.fileExists(atPath: dead.etcdDirectory), "its etcd data went too")
        sleeper.waitUntilExit()
        #expect(!sleeper.isRunning, "the stopped process was continued and ended")
    }

    /// The injector takes out every fault it put in: nftables tables, a downed link, a stopped
    /// agent, a killed agent, a failing check, maintenance; here all at once, as on the way out.
    @Test func everyFaultTheInjectorPutsInItTakesOut() async throws {
        guard Self.nft() != nil else { return }
        let layout = try LabLayout(name: LabTests.uniqueName(), nodes: 2)
        let binary = try CLITests.floatipBinary().path
        defer { _ = try? Lab.down(layout) }
        try await offPool {
            let lab = try Lab.up(layout, binary: binary)
            let injector = try ChaosInjector(lab: lab)
            let tables = { (node: Int) in
                (try? LabShell.ip(["netns", "exec", layout.namespace(node: node), "nft", "list", "tables"])) ?? "?"
            }
            let state = { (pid: Int32) in
                (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)).flatMap { $0.split(separator: ")").last?.dropFirst().first }
            }
            let web1 = try #require(injector.agentPID(1))
            let web2 = try #require(injector.agentPID(2))
            _ = try injector.inject(ChaosFault(kind: .maintenance, target: .other(0), duration: .seconds(1)), holder: 1)
            _ = try injector.inject(ChaosFault(kind: .loss, target: .holder, duration: .seconds(1), percent: 50), holder: 1)
            _ = try injector.inject(ChaosFault(kind: .partition, target: .holder, duration: .seconds(1), twoWay: true), holder: 1)
            _ = try injector.inject(ChaosFault(kind: .linkDown, target: .other(0), duration: .seconds(1)), holder: 1)
            _ = try injector.inject(ChaosFault(kind: .failingCheck, target: .other(0), duration: .seconds(1)), holder: 1)
            _ = try injector.inject(ChaosFault(kind: .stall, target: .holder, duration: .seconds(1)), holder: 1)
            _ = try injector.inject(ChaosFault(kind: .kill, target: .other(0), duration: .seconds(1)), holder: 1)
            #expect(tables(1).contains("floatipchaos") && tables(2).contains("floatipchaos"))
            #expect(try LabShell.ip("-n", layout.namespace(node: 2), "link", "show", "eth0").contains("state DOWN"))
            #expect(state(web1) == "T", "web1's agent stopped")
            #expect(!LabProcesses.isRunning(web2) && injector.agentPID(2) == nil, "web2's agent killed")
            #expect(!FileManager.default.fileExists(atPath: layout.serviceFile(node: 2)))

            try injector.healAll()
            #expect(!tables(1).contains("floatipchaos") && !tables(2).contains("floatipchaos"))
            #expect(!(try LabShell.ip("-n", layout.namespace(node: 2), "link", "show", "eth0").contains("state DOWN")))
            #expect(state(web1) != "T" && LabProcesses.isRunning(web1), "web1's agent continued")
            let restarted = try #require(injector.agentPID(2))
            #expect(restarted != web2 && LabProcesses.isRunning(restarted), "web2's agent restarted")
            #expect(FileManager.default.fileExists(atPath: layout.serviceFile(node: 2)))
            // Healed twice is a no-op.
            try injector.healAll()
            _ = try lab.down()
        }
    }

    /// Ctrl-C in the middle of a run: every fault and the lab (its etcd too, with `--etcd`) are
    /// removed, exit 130.
    @Test(arguments: [false, true]) func anInterruptedRunLeavesNothingBehind(etcd: Bool) async throws {
        guard Self.nft() != nil, !etcd || ExternalTool.find("etcd", for: "the chaos test with --etcd", package: "etcd-server") != nil
        else { return }
        let process = Process()
        process.executableURL = try CLITests.floatipBinary()
        process.arguments = ["lab", "chaos", "--duration", "1m", "--seed", "7", "--nodes", "2"] + (etcd ? ["--etcd"] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let name = "chaos-\(process.processIdentifier)"
        let layout = try LabLayout(name: name)
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            _ = try? ChaosLeftovers.remove()
        }
        // Interrupt once the first fault is done and the second is in place.
        let pid = process.processIdentifier
        let handle = output.fileHandleForReading
        let text = try await offPool { () -> String in
            var seen = ""
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline, seen.components(separatedBy: "; settled").count < 2 {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            usleep(300_000)
            kill(pid, SIGINT)
            seen += String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            return seen
        }
        try await offPool { process.waitUntilExit() }
        #expect(process.terminationStatus == 130, "\(text)")
        #expect(text.contains("interrupted; removing every fault and the lab"), "\(text)")
        let namespaces = try LabShell.namespaces()
        #expect(layout.allNamespaces.filter(namespaces.contains) == [], "\(text)")
        #expect(!FileManager.default.fileExists(atPath: layout.directory))
        #expect(!FileManager.default.fileExists(atPath: layout.etcdDirectory))
        if etcd { #expect(text.contains("etcd: 3 members"), "\(text)") }
    }

    /// CI's chaos run: 3 nodes, 2 minutes, seed 19, zero violations.
    @Test(.timeLimit(.minutes(6))) func twoMinutesOfFixedSeedChaosBreakNoRule() async throws {
        guard Self.nft() != nil else { return }
        var options = ChaosRun.Options()
        options.nodes = 3
        options.duration = .seconds(120)
        options.seed = 19
        options.binary = try CLITests.floatipBinary().path
        let run = ChaosRun(options: options)
        let report = try await offPool { try run.run { print($0) } }
        print(report.table)
        for violation in report.violations { print(report.details(violation)) }
        #expect(report.violations.isEmpty, "\(report.violations.map(report.details).joined(separator: "\n\n"))")
        #expect(report.facts.events.count >= 10, "\(report.facts.events.count) faults")
        #expect(report.facts.samples.count > 10_000, "\(report.facts.samples.count) observer samples")
        let namespaces = try LabShell.namespaces()
        #expect(try LabLayout(name: options.name).allNamespaces.filter(namespaces.contains) == [])
    }

    /// CI's chaos run with `--etcd`: 3 nodes coordinated by a 3-member etcd, 70 s of faults from
    /// seed 82, whose first seven are a partition and a link down of the holder, a failing check,
    /// two etcd members killed (no quorum), a SIGKILL of the holder, the holder cut off from etcd
    /// and a switchover; zero violations by the etcd rules (no two holders ever), and nothing left.
    @Test(.timeLimit(.minutes(4))) func fixedSeedEtcdChaosBreaksNoRule() async throws {
        guard Self.nft() != nil, ExternalTool.find("etcd", for: "the chaos run with --etcd", package: "etcd-server") != nil else { return }
        var options = ChaosRun.Options()
        options.nodes = 3
        options.duration = .seconds(70)
        options.seed = 82
        options.etcd = true
        options.binary = try CLITests.floatipBinary().path
        let run = ChaosRun(options: options)
        let report = try await offPool { try run.run { print($0) } }
        print(report.table)
        #expect(report.violations.isEmpty, "\(report.violations.map(report.details).joined(separator: "\n\n"))")
        let kinds = Set(report.facts.events.map(\.kind))
        #expect(kinds.isSuperset(of: [.etcdKill, .etcdCut, .kill]), "\(kinds)")
        #expect(report.facts.events.contains { $0.kind == .etcdKill && $0.membersDown == 2 }, "a kill took the quorum")
        #expect(report.rules.etcd != nil && report.rules.makeBeforeBreakOverlap == .zero)
        let layout = try LabLayout(name: options.name)
        let namespaces = try LabShell.namespaces()
        #expect(layout.allNamespaces.filter(namespaces.contains) == [])
        #expect(!FileManager.default.fileExists(atPath: layout.etcdDirectory), "the etcd data went with the lab")
    }
}
