import FloatIPCore
import FloatIPLab
import Foundation
import Glibc
import Testing

/// `floatip lab up|down|ask|demo` with the real binary, as root. Each test makes and removes its own lab.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct LabTests {
    /// A lab name unique to this run (namespaces floatip-NAME-…).
    static func uniqueName() -> String { "t\(getpid() % 100_000)x\(String(UInt32.random(in: 0...0xFFFF), radix: 16))" }

    static func lab(_ arguments: [String]) async throws -> CLITests.Run {
        let directory = FileManager.default.temporaryDirectory
        return try await offPool { try CLITests.run(["lab"] + arguments, in: directory) }
    }

    /// What is left of a lab: namespaces, running processes, its directory.
    static func leftovers(_ layout: LabLayout, pids: [Int32]) throws -> [String] {
        let namespaces = try LabShell.namespaces()
        return layout.allNamespaces.filter(namespaces.contains)
            + pids.filter(LabProcesses.isRunning).map { "pid \($0)" }
            + (FileManager.default.fileExists(atPath: layout.directory) ? [layout.directory] : [])
    }

    @Test func upBuildsARunningLabAndDownRemovesEverything() async throws {
        let layout = try LabLayout(name: Self.uniqueName())
        defer { _ = try? Lab.down(layout) }
        let up = try await Self.lab(["up", "--name", layout.name])
        #expect(up.status == 0, "\(up.stdout)\n\(up.stderr)")
        #expect(up.stdout.contains("ready: web1 holds 198.18.0.100"), "\(up.stdout)")

        let namespaces = try LabShell.namespaces()
        for name in [layout.switchNamespace, layout.clientNamespace, layout.namespace(node: 1), layout.namespace(node: 2)] {
            #expect(namespaces.contains(name), "\(name)")
        }
        let state = try #require(LabState.read(layout.stateFile))
        #expect(state.processes.map(\.role).sorted() == ["agent", "agent", "responder", "responder"])
        for process in state.processes {
            #expect(LabProcesses.isRunning(process.pid), "\(process.role) \(process.node)")
        }
        let onWeb1 = try LabShell.ip("-n", layout.namespace(node: 1), "-4", "addr", "show", "dev", "eth0")
        let onWeb2 = try LabShell.ip("-n", layout.namespace(node: 2), "-4", "addr", "show", "dev", "eth0")
        #expect(onWeb1.contains("198.18.0.100/32"), "\(onWeb1)")
        #expect(!onWeb2.contains("198.18.0.100/32"), "\(onWeb2)")
        let routes = try LabShell.ip("-n", layout.clientNamespace, "route", "show")
        #expect(!routes.contains("default"), "no route out: \(routes)")

        let ask = try await Self.lab(["ask", "--name", layout.name])
        #expect(ask.status == 0 && ask.stdout == "web1\n", "\(ask.stdout)\(ask.stderr)")
        let again = try await Self.lab(["up", "--name", layout.name])
        #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again.stderr)")
        #expect(LabState.read(layout.stateFile) == state, "a refused `up` leaves the running lab alone")

        let down = try await Self.lab(["down", "--name", layout.name])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stdout.contains("4 processes ended"), "\(down.stdout)")
        #expect(try Self.leftovers(layout, pids: state.processes.map(\.pid)) == [])
        let twice = try await Self.lab(["down", "--name", layout.name])
        #expect(twice.status == 0 && twice.stdout.contains("nothing to remove"), "\(twice.stdout)\(twice.stderr)")
    }

    @Test func downRemovesAHalfBuiltLab() async throws {
        let layout = try LabLayout(name: Self.uniqueName())
        defer { _ = try? Lab.down(layout) }
        // As if `up` had died after two namespaces and a process in one of them, before writing any state.
        try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        try LabShell.ip("netns", "add", layout.switchNamespace)
        try LabShell.ip("netns", "add", layout.namespace(node: 1))
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: try LabShell.ipTool())
        sleeper.arguments = ["netns", "exec", layout.namespace(node: 1), "sleep", "60"]
        try sleeper.run()
        let pid = sleeper.processIdentifier
        _ = try await offPool { for _ in 0..<200 where !((try? LabShell.ip("netns", "pids", layout.namespace(node: 1))) ?? "").contains("\(pid)") { usleep(10_000) } }

        let down = try await Self.lab(["down", "--name", layout.name])
        #expect(down.status == 0, "\(down.stderr)")
        // (The sleeper may ignore SIGTERM, inherited from the test runner: then it needs SIGKILL.)
        #expect(down.stdout.contains("1 processes ended") && down.stdout.contains("2 namespaces deleted"), "\(down.stdout)")
        sleeper.waitUntilExit()
        #expect(try Self.leftovers(layout, pids: [pid]) == [])
    }

    @Test func theDemoShowsFailoverAndFailbackAndLeavesNothingBehind() async throws {
        let name = Self.uniqueName()
        let layout = try LabLayout(name: name)
        defer { _ = try? Lab.down(layout) }
        let demo = try await Self.lab(["demo", "--name", name])
        print(demo.stdout)
        #expect(demo.status == 0, "\(demo.stdout)\n\(demo.stderr)")
        let lines = demo.stdout.split(separator: "\n").map(String.init)
        let failover = try #require(lines.first { $0.contains("client → web2 answers (outage") }, "\(demo.stdout)")
        let failback = try #require(lines.first { $0.contains("client → web1 answers again, ") }, "\(demo.stdout)")
        // Maintenance and back are make-before-break: the client misses nothing.
        let handedOver = try #require(lines.first { $0.contains("client → web2 answers (longest gap") }, "\(demo.stdout)")
        let returned = try #require(lines.first { $0.contains("client → web1 answers again (longest gap") }, "\(demo.stdout)")
        #expect(handedOver.hasSuffix(" 0 requests failed)"), "\(handedOver)")
        #expect(returned.hasSuffix(" 0 requests failed)"), "\(returned)")
        #expect(lines.last?.contains("lab removed") == true)

        let timers = Timers()
        let outage = try #require(Self.milliseconds(after: "outage ", in: failover))
        let bound = timers.interval * (timers.deadAfter + 2) + .milliseconds(300)
        #expect(outage > 0 && .milliseconds(outage) < bound, "failover outage \(outage) ms, bound \(bound)")
        #expect(Self.milliseconds(after: "outage ", in: failback) != nil)
        #expect(try Self.leftovers(layout, pids: []) == [])
    }

    @Test func theLabRefusesToStartWithoutRoot() async throws {
        let binary = try CLITests.floatipBinary().path
        let message = try await offPool { () -> String in
            do {
                try command(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary, "lab", "demo"])
                return "exited 0"
            } catch let error as CommandError {
                return "exited \(error.status): \(error.stderr)"
            }
        }
        #expect(message.hasPrefix("exited 1:"), "\(message)")
        #expect(message.contains("floatip lab needs root (network namespaces): run it with sudo"), "\(message)")
    }

    /// The number before " ms" that follows `marker` in `line` ("outage 318 ms" → 318).
    static func milliseconds(after marker: String, in line: String) -> Double? {
        guard let range = line.range(of: marker) else { return nil }
        let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }
}
