import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Synchronization
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import FloatIPAgent

/// Hooks with real processes: scripts written to a scratch directory record what they were given.
@Suite(.serialized) struct HookRunnerTests {
    /// A scratch directory with helpers to write scripts into it; removed by `remove()`.
    struct Scratch {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-hooks-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { url.appendingPathComponent(name).path }

        /// An executable `/bin/sh` script `name` with `body`.
        func script(_ name: String, _ body: String) throws -> String {
            let file = path(name)
            try ("#!/bin/sh\n" + body + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            chmod(file, 0o755)
            return file
        }

        /// A script that appends its arguments and the FLOATIP_ variables to `record`, one per line.
        func recorder(_ name: String, record: String) throws -> String {
            try script(name, """
                {
                  echo "args=$*"
                  env | grep '^FLOATIP_' | sort
                  echo "--"
                } >> '\(path(record))'
                echo "recorded $FLOATIP_ROLE"
                """)
        }

        func read(_ name: String) -> String { (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "" }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    /// Collects the runner's reports and waits for them.
    final class Reports: Sendable {
        private let reports = Mutex<[HookReport]>([])

        func add(_ report: HookReport) { reports.withLock { $0.append(report) } }

        var all: [HookReport] { reports.withLock { $0 } }

        /// Waits (at most `limit`) until `count` reports are in; returns them.
        func wait(for count: Int, limit: Duration = .seconds(10)) async throws -> [HookReport] {
            let end = ContinuousClock.now + limit
            while all.count < count, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(10)) }
            let found = all
            try #require(found.count >= count, "\(found.count) of \(count) reports within \(limit): \(found)")
            return found
        }
    }

    func group(_ name: String, priority: Int = 150, hooks: HooksConfig) throws -> GroupConfig {
        GroupConfig(
            name: name,
            addresses: [try IPPrefix.parse("198.18.0.100/32").get(), try IPPrefix.parse("2001:2::100").get()],
            interface: "eth0", priority: priority, hooks: hooks)
    }

    func transition(_ group: String, _ from: Role, _ to: Role, _ reason: String = "test") -> Transition {
        Transition(group: group, from: from, to: to, reason: reason, at: .zero)
    }

    @Test func aRoleChangeRunsItsCommandWithTheEnvironment() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hook = try scratch.recorder("on-holder", record: "holder.txt")
        let reports = Reports()
        let runner = HookRunner(
            node: "web1",
            groups: [try group("web", hooks: HooksConfig(onHolder: [hook, "one arg", "two"], timeout: .seconds(5)))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .standby, .holder, "peer web2 silent for 300 ms")))
        let report = try #require(try await reports.wait(for: 1).first)
        #expect(report.hook == "on_holder")
        #expect(report.group == "web")
        #expect(report.succeeded)
        #expect(report.outcome == "exit 0")
        #expect(report.output == ["recorded holder"])
        let lines = scratch.read("holder.txt").split(separator: "\n").map(String.init)
        #expect(lines == [
            "args=one arg two",
            "FLOATIP_ADDRESSES=198.18.0.100 2001:2::100",
            "FLOATIP_GROUP=web",
            "FLOATIP_NODE=web1",
            "FLOATIP_PREVIOUS_ROLE=standby",
            "FLOATIP_REASON=peer web2 silent for 300 ms",
            "FLOATIP_ROLE=holder",
            "--",
        ])
        runner.finish()
        await running.value
    }

    @Test func onlyRoleChangesOfGroupsWithHooksRunAnything() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let hook = try scratch.recorder("hook", record: "calls.txt")
        let reports = Reports()
        let hooks = HooksConfig(onHolder: [hook], onStandby: [hook], timeout: .seconds(5))
        let runner = HookRunner(
            node: "web1", groups: [try group("web", hooks: hooks), try group("quiet", hooks: .none)],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .holder, .holder, "a new reason only")))
        runner.handle(.transition(transition("quiet", .standby, .holder)))
        runner.handle(.mover(group: "web", operation: "claim", epoch: 1, took: .zero, error: nil))
        runner.handle(.transition(transition("web", .starting, .fault)))  // no on_fault configured
        runner.handle(.transition(transition("web", .fault, .standby)))
        runner.finish()
        await running.value
        #expect(reports.all.map(\.hook) == ["on_standby"])
        #expect(scratch.read("calls.txt").components(separatedBy: "--").count == 2)
    }

    /// A flapping group behind a slow hook: at most `queueLimit` changes wait; the oldest are
    /// skipped, each reported, and the newest still run.
    @Test func aFullQueueSkipsTheOldestChangesAndSaysSo() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let gate = scratch.path("gate")
        // The first call waits for the gate file, so everything after it queues up.
        let hook = try scratch.script("slow", "while [ ! -e '\(gate)' ]; do sleep 0.02; done\necho \"$FLOATIP_REASON\" >> '\(scratch.path("ran.txt"))'")
        let reports = Reports()
        let runner = HookRunner(
            node: "web1", groups: [try group("web", hooks: HooksConfig(onHolder: [hook], timeout: .seconds(20)))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .standby, .holder, "change 0")))
        try await Task.sleep(for: .milliseconds(300))  // change 0 is running, blocked on the gate
        let extra = 5
        for index in 1...(HookRunner.queueLimit + extra) {
            runner.handle(.transition(transition("web", .standby, .holder, "change \(index)")))
        }
        let skipped = reports.all.filter { $0.hook == "queue" }
        #expect(skipped.count == extra, "\(skipped)")
        #expect(skipped.allSatisfy { !$0.succeeded && $0.outcome.contains("more than 32 role changes wait") })
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        runner.finish()
        await running.value
        let ran = scratch.read("ran.txt").split(separator: "\n").map(String.init)
        // Change 0 and the newest 32; changes 1…5 were skipped.
        #expect(ran == ["change 0"] + (extra + 1...HookRunner.queueLimit + extra).map { "change \($0)" })
    }

    /// On shutdown the service lets queued hooks finish within its bound, then cuts off the rest.
    @Test func theHookServiceDrainsWithinItsBound() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let quick = try scratch.recorder("quick", record: "quick.txt")
        let hang = try scratch.script("hang", "sleep 30")
        let reports = Reports()
        let runner = HookRunner(
            node: "web1",
            groups: [
                try group("web", hooks: HooksConfig(onHolder: [quick], timeout: .seconds(20))),
                try group("db", hooks: HooksConfig(onHolder: [hang], timeout: .seconds(20))),
            ],
            onReport: reports.add)
        let service = HookService(hooks: runner, drainBound: .milliseconds(800))
        let started = ContinuousClock.now
        try await testGracefulShutdown { trigger in
            async let running: Void = service.run()
            runner.handle(.transition(transition("db", .standby, .holder)))
            runner.handle(.transition(transition("web", .standby, .holder)))
            trigger.triggerGracefulShutdown()
            try await running
        }
        let took = ContinuousClock.now - started
        #expect(took < .seconds(5), "bounded by the drain bound, not the hook's 20 s timeout: \(took)")
        #expect(scratch.read("quick.txt").contains("FLOATIP_ROLE=holder"), "the quick hook finished")
        #expect(reports.all.contains { $0.hook == "on_holder" && $0.group == "web" && $0.succeeded })
    }

    @Test func aHangingHookIsKilledAtItsTimeoutAndDelaysNothingElse() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // The hang leaves a grandchild (sleep) in the hook's process group; both must die.
        let hang = try scratch.script("hang", "sleep 60 &\necho $! > '\(scratch.path("sleep.pid"))'\nwait")
        let record = try scratch.recorder("record", record: "after.txt")
        let other = try scratch.recorder("other", record: "other.txt")
        let reports = Reports()
        let timeout = Duration.milliseconds(500)
        let runner = HookRunner(
            node: "web1",
            groups: [
                try group("web", hooks: HooksConfig(onHolder: [hang], onStandby: [record], timeout: timeout)),
                try group("db", hooks: HooksConfig(onHolder: [other], timeout: timeout)),
            ],
            onReport: reports.add)
        let running = Task { await runner.run() }
        let started = ContinuousClock.now
        runner.handle(.transition(transition("web", .standby, .holder)))
        runner.handle(.transition(transition("web", .holder, .standby)))
        runner.handle(.transition(transition("db", .standby, .holder)))
        let queueing = ContinuousClock.now - started
        // The caller (the agent's actor) only queues: generous bound, far below the hook's timeout.
        #expect(queueing < .milliseconds(100), "queueing three role changes took \(queueing)")

        let found = try await reports.wait(for: 3)
        let hung = try #require(found.first { $0.hook == "on_holder" && $0.group == "web" })
        let next = try #require(found.first { $0.hook == "on_standby" })
        let independent = try #require(found.first { $0.group == "db" })
        #expect(!hung.succeeded)
        #expect(hung.outcome.contains("no exit within 500 ms"), "\(hung.outcome)")
        #expect(hung.took >= timeout && hung.took < .seconds(5), "\(hung.took)")
        // The group's next change ran after the kill, and succeeded.
        #expect(next.succeeded)
        #expect(found.firstIndex { $0.hook == "on_standby" }! > found.firstIndex { $0 == hung }!)
        #expect(scratch.read("after.txt").contains("FLOATIP_ROLE=standby"))
        // Another group's hook did not wait for the hang.
        #expect(independent.succeeded)
        #expect(found.firstIndex { $0.group == "db" }! < found.firstIndex { $0 == hung }!)
        // The grandchild is gone (or a zombie waiting for init).
        let sleepPID = try #require(pid_t(scratch.read("sleep.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        let dead = try await offPool { Self.waitUntilGone(sleepPID, limit: .seconds(3)) }
        #expect(dead, "sleep \(sleepPID) from the hung hook still runs")
        runner.finish()
        await running.value
    }

    @Test func notifyGetsKeepalivedsArguments() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let notify = try scratch.recorder("notify.sh", record: "notify.txt")
        let reports = Reports()
        let runner = HookRunner(
            node: "web1", groups: [try group("web", priority: 150, hooks: HooksConfig(notify: notify))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        let changes: [(Role, Role)] = [(.starting, .standby), (.standby, .holder), (.holder, .fault),
                                       (.fault, .maintenance)]
        for (from, to) in changes { runner.handle(.transition(transition("web", from, to))) }
        runner.finish()
        await running.value
        #expect(reports.all.map(\.hook) == ["notify", "notify", "notify", "notify"])
        #expect(reports.all.allSatisfy { $0.succeeded })
        let arguments = scratch.read("notify.txt").split(separator: "\n").filter { $0.hasPrefix("args=") }
        #expect(arguments == [
            "args=GROUP web BACKUP 150", "args=GROUP web MASTER 150", "args=GROUP web FAULT 150",
            "args=GROUP web BACKUP 150",
        ])
        // The notify script gets the same environment as the on_<role> commands.
        #expect(scratch.read("notify.txt").contains("FLOATIP_ROLE=maintenance"))
    }

    @Test func keepalivedStates() {
        #expect(KeepalivedState(.holder) == .master)
        #expect(KeepalivedState(.standby) == .backup)
        #expect(KeepalivedState(.starting) == .backup)
        #expect(KeepalivedState(.fault) == .fault)
        #expect(KeepalivedState(.maintenance) == .backup)
    }

    @Test func aMissingProgramOrAFailingOneIsReported() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let failing = try scratch.script("fail", "echo first\necho 'it broke' >&2\nexit 3")
        let reports = Reports()
        let runner = HookRunner(
            node: "web1",
            groups: [try group("web", hooks: HooksConfig(onHolder: [failing], onFault: [scratch.path("missing")]))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .standby, .holder)))
        runner.handle(.transition(transition("web", .holder, .fault)))
        runner.finish()
        await running.value
        let found = reports.all
        #expect(found.count == 2)
        #expect(found.first?.outcome == "exit 3")
        #expect(found.first?.output == ["first", "it broke"])
        #expect(found.last?.succeeded == false)
        #expect(found.last?.outcome.hasPrefix("cannot start \(scratch.path("missing")): No such file") == true)
    }

    @Test func theWebhookGetsTheJSON() async throws {
        let server = try OneRequestHTTPServer()
        let reports = Reports()
        let runner = HookRunner(
            node: "web1",
            groups: [try group("web", hooks: HooksConfig(webhook: "http://127.0.0.1:\(server.port)/floatip"))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        let received = Task { try await offPool { try server.receive(limit: .seconds(10)) } }
        runner.handle(.transition(transition("web", .standby, .holder, "peer web2 dead")))
        let request = try await received.value
        let report = try #require(try await reports.wait(for: 1).first)
        #expect(report.hook == "webhook")
        #expect(report.succeeded, "\(report)")
        #expect(report.outcome == "HTTP 200")
        #expect(request.head.hasPrefix("POST /floatip HTTP/1.1\r\n"))
        #expect(request.head.lowercased().contains("content-type: application/json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(json["node"] as? String == "web1")
        #expect(json["group"] as? String == "web")
        #expect(json["role"] as? String == "holder")
        #expect(json["previous_role"] as? String == "standby")
        #expect(json["reason"] as? String == "peer web2 dead")
        #expect(json["addresses"] as? [String] == ["198.18.0.100", "2001:2::100"])
        #expect(json["keepalived_state"] as? String == "MASTER")
        #expect(json["priority"] as? Int == 150)
        #expect((json["time"] as? String)?.hasSuffix("Z") == true)
        runner.finish()
        await running.value
    }

    @Test func anUnreachableWebhookFailsWithinItsTimeout() async throws {
        // A port nothing listens on: connection refused, reported, nothing hangs.
        let port = try OneRequestHTTPServer().closeWithoutServing()
        let reports = Reports()
        let runner = HookRunner(
            node: "web1",
            groups: [try group("web", hooks: HooksConfig(webhook: "http://127.0.0.1:\(port)/", timeout: .seconds(1)))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .standby, .holder)))
        let report = try #require(try await reports.wait(for: 1).first)
        #expect(!report.succeeded)
        #expect(report.took < .seconds(3))
        runner.finish()
        await running.value
    }

    @Test("a hook gets PATH, LANG, LC_*, TZ and its FLOATIP_ variables, nothing else of the agent's environment")
    func hooksGetNoneOfTheAgentsOtherVariables() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // A credential given as `secret_key_env` lives in the agent's environment.
        setenv("AWS_SECRET_ACCESS_KEY", "floatip-test-leak-0123456789", 1)
        setenv("LC_TIME", "C.UTF-8", 1)
        defer {
            unsetenv("AWS_SECRET_ACCESS_KEY")
            unsetenv("LC_TIME")
        }
        let hook = try scratch.script("env", "env | sort > '\(scratch.path("env.txt"))'")
        let reports = Reports()
        let runner = HookRunner(
            node: "web1", groups: [try group("web", hooks: HooksConfig(onHolder: [hook], timeout: .seconds(5)))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .standby, .holder)))
        let report = try #require(try await reports.wait(for: 1).first)
        #expect(report.succeeded, "\(report)")
        runner.finish()
        await running.value
        let names = Set(scratch.read("env.txt").split(separator: "\n").map { String($0.prefix { $0 != "=" }) })
        #expect(!names.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(!scratch.read("env.txt").contains("floatip-test-leak"))
        #expect(names.contains("FLOATIP_ROLE") && names.contains("PATH") && names.contains("LC_TIME"), "\(names)")
        // What the shell adds itself (PWD, SHLVL, `_`) aside, nothing else.
        let unexpected = names.subtracting(["PWD", "SHLVL", "_", "OLDPWD"]).filter {
            !$0.hasPrefix("FLOATIP_") && !["PATH", "LANG", "TZ"].contains($0) && !$0.hasPrefix("LC_")
        }
        #expect(unexpected.isEmpty, "\(unexpected)")
    }

    @Test("a failing webhook is reported as scheme://host:port/… without its path, query or user")
    func aFailingWebhookIsReportedWithoutItsSecrets() async throws {
        let port = try OneRequestHTTPServer().closeWithoutServing()
        let url = "http://user:pass-secret-1@127.0.0.1:\(port)/services/T000/B000/path-secret-2?token=query-secret-3"
        let reports = Reports()
        let runner = HookRunner(
            node: "web1", groups: [try group("web", hooks: HooksConfig(webhook: url, timeout: .seconds(1)))],
            onReport: reports.add)
        let running = Task { await runner.run() }
        runner.handle(.transition(transition("web", .standby, .holder)))
        let report = try #require(try await reports.wait(for: 1).first)
        runner.finish()
        await running.value
        #expect(!report.succeeded)
        #expect(report.description.contains("http://127.0.0.1:\(port)/…"), "\(report)")
        for secret in ["pass-secret-1", "path-secret-2", "query-secret-3", "services/T000"] {
            #expect(!report.description.contains(secret), "\(report)")
        }
    }

    @Test func redactedURLs() {
        #expect(RedactedURL.of("https://hooks.slack.com/services/T0/B0/xyz") == "https://hooks.slack.com/…")
        #expect(RedactedURL.of("http://u:p@[2001:2::1]:8080/a?b=c") == "http://[2001:2::1]:8080/…")
        #expect(RedactedURL.of("not a url") == "(a URL)")
    }

    @Test func anAgentWhoseHookHangsStillTakesOverInTime() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // The notify script runs on every role change and hangs for its whole timeout.
        let hang = try scratch.script("hang", "sleep 60")
        let hooks = HooksConfig(notify: hang, timeout: .seconds(2))
        let config = ClusterConfig(
            cluster: "web", node: NodeConfig(name: "web1", address: .ipv4(198, 18, 0, 1)),
            peers: [PeerConfig(name: "web2", address: .ipv4(198, 18, 0, 2))], secretFile: "/etc/floatip/secret",
            timers: Timers(), groups: [try group("web", hooks: hooks)], checks: [], api: APIConfig())
        let reports = Reports()
        let runner = HookRunner(node: "web1", groups: config.groups, onReport: reports.add)
        let running = Task { await runner.run() }
        let network = InMemoryNetwork()
        let world = RecordingWorld()
        let agent = try AgentCore(
            config: config, secret: AgentCoreTests.secret, clock: SystemClock(), transport: network.endpoint("web1"),
            movers: ["web": world.mover("web1")], onEvent: { runner.handle($0) })
        let started = ContinuousClock.now
        await agent.start()
        // web2 never speaks: web1 claims after startup_listen (300 ms), while the first hook still hangs.
        while world.holders("web") != ["web1"], ContinuousClock.now - started < .seconds(5) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let tookOver = ContinuousClock.now - started
        #expect(world.holders("web") == ["web1"])
        #expect(tookOver < .milliseconds(1500), "took over after \(tookOver)")
        #expect(reports.all.isEmpty, "the hanging hook had already ended: \(reports.all)")
        await agent.stop()
        let first = try #require(try await reports.wait(for: 1).first)
        #expect(first.hook == "notify")
        #expect(first.outcome.contains("no exit within 2 s"), "\(first.outcome)")
        running.cancel()
        await running.value
    }

    /// Whether `pid` is gone or a zombie within `limit` (blocks; call off the pool).
    static func waitUntilGone(_ pid: pid_t, limit: Duration) -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            // The state follows the command in parentheses: `123 (sleep) Z …`.
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            usleep(10_000)
        }
        return false
    }
}

/// A blocking HTTP/1.1 server on 127.0.0.1 for one request: answers `200 OK` and hands back what it got.
final class OneRequestHTTPServer: Sendable {
    let port: Int
    private let fd: Int32

    struct Request: Sendable {
        var head: String
        var body: [UInt8]
    }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the listening socket at once; returns its (now unused) port.
    func closeWithoutServing() -> Int {
        close(fd)
        return port
    }

    /// Accepts one connection, reads one request (head and Content-Length body), answers 200, closes.
    func receive(limit: Duration) throws -> Request {
        defer { close(fd) }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(limit.components.seconds * 1000)
        guard poll(&descriptor, 1, milliseconds) == 1 else { throw POSIXError(.ETIMEDOUT) }
        let connection = accept(fd, nil, nil)
        guard connection >= 0 else { throw POSIXError(.EIO) }
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if let split = Self.headEnd(received) {
                let head = String(decoding: received[..<split], as: UTF8.self)
                let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
                if received.count - split - 4 >= length {
                    let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    _ = Array(answer.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
                    return Request(head: head + "\r\n", body: Array(received[(split + 4)..<(split + 4 + length)]))
                }
            }
            var readable = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 100) >= 0 else { break }
            if readable.revents == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        throw POSIXError(.ETIMEDOUT)
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
