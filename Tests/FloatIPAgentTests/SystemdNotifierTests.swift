import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

@testable import FloatIPAgent

/// sd_notify spoken to a real datagram socket that the test binds (no systemd needed).
@Suite struct SystemdNotifierTests {
    @Test func withoutNotifySocketThereIsNoNotifier() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    @Test func sendsOneDatagramToAPathSocket() async throws {
        let listener = try NotifySocketListener()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name]))
        #expect(notifier.send("READY=1\nSTATUS=web: holder (1 peer ok)") == nil)
        let received = try await offPool { listener.receive(timeout: .seconds(2)) }
        #expect(received == "READY=1\nSTATUS=web: holder (1 peer ok)")
    }

    @Test func sendsToAnAbstractSocket() async throws {
        let listener = try NotifySocketListener(abstract: true)
        #expect(listener.name.hasPrefix("@"))
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.name]))
        #expect(notifier.send("WATCHDOG=1") == nil)
        let received = try await offPool { listener.receive(timeout: .seconds(2)) }
        #expect(received == "WATCHDOG=1")
    }

    @Test func abstractAddressesHaveALeadingZeroAndNoTerminator() throws {
        let abstract = try #require(SystemdNotifier.socketAddress("@floatip"))
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        #expect(abstract.count == offset + 8)
        #expect(Array(abstract.suffix(8)) == [0] + Array("floatip".utf8))
        let path = try #require(SystemdNotifier.socketAddress("/run/systemd/notify"))
        #expect(Array(path.suffix(20)) == Array("/run/systemd/notify".utf8) + [0])
        #expect(SystemdNotifier.socketAddress("vsock:2:1234") == nil)
        #expect(SystemdNotifier.socketAddress("relative/path") == nil)
        #expect(SystemdNotifier.socketAddress("/" + String(repeating: "x", count: 200)) == nil, "longer than sun_path")
    }

    @Test func aMissingSocketIsReportedNotFatal() throws {
        let notifier = SystemdNotifier(socket: "/nonexistent/floatip-notify-\(getpid())", watchdog: nil)
        let failure = try #require(notifier.send("READY=1"))
        #expect(failure.contains("cannot notify systemd at /nonexistent/"), "\(failure)")
        let unsupported = try #require(SystemdNotifier(socket: "vsock:2:1", watchdog: nil).send("READY=1"))
        #expect(unsupported.contains("NOTIFY_SOCKET=vsock:2:1"))
    }

    @Test func theWatchdogPeriodIsForThisProcessOnly() {
        #expect(SystemdNotifier.watchdogPeriod(["WATCHDOG_USEC": "200000"], pid: 42) == .milliseconds(200))
        #expect(SystemdNotifier.watchdogPeriod(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "42"], pid: 42) == .milliseconds(200))
        #expect(SystemdNotifier.watchdogPeriod(["WATCHDOG_USEC": "200000", "WATCHDOG_PID": "43"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogPeriod(["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogPeriod(["WATCHDOG_USEC": "ten"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogPeriod([:], pid: 42) == nil)
    }
}

/// What the agent says to systemd and when, pass by pass of the decision loop.
@Suite struct SystemdReporterTests {
    let start = ContinuousClock.now

    func reporter(_ listener: NotifySocketListener, watchdog: Duration? = .milliseconds(200)) -> SystemdReporter {
        SystemdReporter(notifier: SystemdNotifier(socket: listener.name, watchdog: watchdog))
    }

    func drain(_ listener: NotifySocketListener) async throws -> [String] {
        try await offPool { listener.collect(for: .milliseconds(300)) { _ in false } }
    }

    @Test func readyOnlyOnceNoGroupIsStartingThenStatusOnChangesAndPingsAtHalfThePeriod() async throws {
        let listener = try NotifySocketListener()
        let reporter = reporter(listener)
        reporter.pass([("web", .starting)], (0, 2), now: start)
        reporter.pass([("web", .holder)], (2, 2), now: start + .milliseconds(300))
        reporter.pass([("web", .holder)], (2, 2), now: start + .milliseconds(350))  // nothing new, no ping due
        reporter.pass([("web", .holder)], (1, 2), now: start + .milliseconds(390))  // a peer went silent
        reporter.pass([("web", .holder)], (1, 2), now: start + .milliseconds(400))  // half of 200 ms since READY
        reporter.pass([("web", .holder)], (1, 2), now: start + .milliseconds(450))
        reporter.stopping()
        reporter.pass([("web", .standby)], (1, 2), now: start + .milliseconds(900))  // after STOPPING: silence
        #expect(try await drain(listener) == [
            "READY=1\nSTATUS=web: holder (2 peers ok)",
            "STATUS=web: holder (1 of 2 peers ok)",
            "WATCHDOG=1",
            "STOPPING=1\nSTATUS=stopping: handing over held groups",
        ])
    }

    @Test func withoutAWatchdogThereAreNoPings() async throws {
        let listener = try NotifySocketListener()
        let reporter = reporter(listener, watchdog: nil)
        for step in 0..<10 { reporter.pass([("web", .standby)], (0, 0), now: start + .seconds(step)) }
        #expect(try await drain(listener) == ["READY=1\nSTATUS=web: standby (no peers)"])
    }

    @Test func summariesNameEveryGroupAndThePeers() {
        #expect(SystemdReporter.summary([("web", .holder)], (2, 2)) == "web: holder (2 peers ok)")
        #expect(SystemdReporter.summary([("web", .holder)], (1, 1)) == "web: holder (1 peer ok)")
        #expect(SystemdReporter.summary([("web", .holder), ("db", .fault)], (0, 2)) == "web: holder, db: fault (0 of 2 peers ok)")
        #expect(SystemdReporter.summary([], (0, 0)) == "no groups (no peers)")
    }

    @Test func aRealAgentLoopDrivesIt() async throws {
        let listener = try NotifySocketListener()
        let pair = try AgentCoreTests.Pair(AgentCoreTests())
        let environment = ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "100000"]
        let reporter = try #require(await SystemdReporter.attach(to: pair.web1, environment: environment))
        await pair.start()
        let messages = try await offPool {
            listener.collect(for: .seconds(3)) { $0.contains("WATCHDOG=1") }
        }
        reporter.stopping()
        await pair.stop()
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=web: ") == true, "\(messages)")
        #expect(messages.last?.contains("WATCHDOG=1") == true, "\(messages)")
    }
}

/// systemd going away is logged once, not once per pass, and never stops the agent.
@Suite struct SystemdReporterFailureTests {
    @Test func aSocketThatIsGoneIsReportedOncePerStreak() throws {
        let notes = LogCapture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-notify-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("notify").path
        let reporter = SystemdReporter(notifier: SystemdNotifier(socket: path, watchdog: .milliseconds(10)), logger: notes.logger)
        let start = ContinuousClock.now
        for step in 0..<5 { reporter.pass([("web", .holder)], (1, 1), now: start + .milliseconds(10 * step)) }
        #expect(notes.messages.count == 1)
        #expect(notes.levels(containing: "cannot notify systemd at \(path)") == [.warning])
    }
}
