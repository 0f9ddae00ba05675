import FloatIPCore
import Foundation
import Glibc
import Testing

/// The real `floatip agent`, started as systemd would start a Type=notify service with a
/// watchdog: `$NOTIFY_SOCKET` names a datagram socket this test binds, `$WATCHDOG_USEC` is small.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct SystemdNotifyEndToEndTests {
    /// `WATCHDOG_USEC` for the agent: 200 ms, so it must ping at least every 100 ms or so.
    static let watchdog = Duration.milliseconds(200)

    @Test func theAgentSaysReadyStatusWatchdogAndStoppingInOrder() async throws {
        let lab = try AgentLab()
        let listener = try NotifySocketListener()
        let started = ContinuousClock.now
        try lab.start(1, environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "200000"])
        // Running: READY with the first STATUS, then pings; collect a second of them with arrival times.
        let running = try await offPool { () -> [(String, ContinuousClock.Instant)] in
            var received: [(String, ContinuousClock.Instant)] = []
            let deadline = ContinuousClock.now + .seconds(6)
            while ContinuousClock.now < deadline, let message = listener.receive(timeout: deadline - ContinuousClock.now) {
                received.append((message, ContinuousClock.now))
                if received.filter({ $0.0 == "WATCHDOG=1" }).count >= 10 { break }
            }
            return received
        }
        lab.signal(1, SIGTERM)
        let stopping = try await offPool { listener.collect(for: .seconds(5)) { $0.contains("STOPPING=1") } }
        #expect(try await lab.waitForExit(1) == 0, "\(lab.log(1))")
        let after = try await offPool { listener.collect(for: .milliseconds(300)) { _ in false } }

        let messages = running.map(\.0) + stopping
        let lines = messages.flatMap { $0.split(separator: "\n").map(String.init) }
        func first(_ prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }
        let ready = try #require(first("READY=1"), "no READY in \(messages)\n\(lab.log(1))")
        let status = try #require(first("STATUS="), "\(messages)")
        let ping = try #require(first("WATCHDOG=1"), "\(messages)")
        let stop = try #require(first("STOPPING=1"), "\(messages)")
        #expect(ready == 0 && ready < status && status < ping && ping < stop, "\(lines)")
        // READY comes when the role is known: web2 is not running, so web1 holds after listening.
        #expect(messages.first == "READY=1\nSTATUS=web: holder (0 of 1 peers ok)", "\(messages)")
        #expect(ContinuousClock.now - started > Timers().deadInterval)
        #expect(!lines[(stop + 1)...].contains("WATCHDOG=1"), "no pings after STOPPING: \(lines)")
        #expect(after.isEmpty, "nothing after STOPPING: \(after)")
        // The pings keep within the watchdog period (systemd would kill the agent otherwise).
        let pings = running.filter { $0.0 == "WATCHDOG=1" }.map(\.1)
        #expect(pings.count >= 10, "\(messages)")
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
        let longest = gaps.max() ?? .zero
        print("sd_notify: \(pings.count) pings, longest gap \(longest.shortDescription) (watchdog \(Self.watchdog.shortDescription))")
        #expect(longest < Self.watchdog, "\(gaps)")
        #expect(gaps.allSatisfy { $0 >= Self.watchdog / 2 - .milliseconds(20) }, "not more often than half the period: \(gaps)")
    }

    /// SIGHUP (`systemctl reload`): RELOADING=1 with a monotonic time stamp, then READY=1 once applied.
    @Test func aReloadSaysReloadingThenReady() async throws {
        let lab = try AgentLab()
        let listener = try NotifySocketListener()
        try lab.start(1, environment: ["NOTIFY_SOCKET": listener.name])
        let ready = try await offPool { listener.collect(for: .seconds(6)) { $0.hasPrefix("READY=1") } }
        #expect(ready.last?.hasPrefix("READY=1") == true, "\(ready)\n\(lab.log(1))")
        let config = try String(contentsOfFile: lab.config(1), encoding: .utf8)
        try config.replacingOccurrences(of: "priority: 240", with: "priority: 241").write(
            toFile: lab.config(1), atomically: true, encoding: .utf8)
        lab.signal(1, SIGHUP)
        let reload = try await offPool { listener.collect(for: .seconds(5)) { $0 == "READY=1" } }
        let reloading = try #require(reload.firstIndex { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }, "\(reload)")
        let done = try #require(reload.firstIndex { $0 == "READY=1" }, "\(reload)")
        #expect(reloading < done, "\(reload)")
        #expect(lab.log(1).contains("SIGHUP: reloaded"), "\(lab.log(1))")
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
    }

    @Test func withoutNotifySocketTheAgentRunsAsBefore() async throws {
        let lab = try AgentLab()
        try lab.start(1, environment: ["NOTIFY_SOCKET": "", "WATCHDOG_USEC": "200000"])
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
        #expect(!lab.log(1).contains("systemd"), "\(lab.log(1))")
    }
}
