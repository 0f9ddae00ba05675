import FloatIPCore
import FloatIPLinux
import Glibc
import Logging
import Synchronization

/// What the agent tells systemd over `SystemdNotifier`, driven by the decision loop:
///
/// - `READY=1` (with the first `STATUS=`) once no group is `starting` any more: the agent has
///   listened for one dead interval and knows its role in every group.
/// - `STATUS=web: holder (2 peers ok)` whenever that line changes (`systemctl status` shows it).
/// - `WATCHDOG=1` from the loop itself, every half watchdog period, starting at READY (systemd
///   arms the watchdog when start-up completes): a loop that is stuck stops pinging, and
///   systemd restarts the agent.
/// - `STOPPING=1` when the agent begins its clean stop; nothing after it.
public final class SystemdReporter: Sendable {
    let notifier: SystemdNotifier
    let logger: Logger
    private let state = Mutex(State())

    struct State {
        var ready = false
        var stopping = false
        var status = ""
        var lastPing: ContinuousClock.Instant?
        var failing = false
    }

    /// A reporter sending through `notifier`; `logger` hears about send failures (once per streak).
    public init(notifier: SystemdNotifier, logger: Logger = .silent) {
        self.notifier = notifier
        self.logger = logger
    }

    /// Starts reporting `agent`'s loop to systemd, when this process was started with
    /// `$NOTIFY_SOCKET`; returns the reporter (for `stopping()`), or nil and does nothing otherwise.
    public static func attach(
        to agent: AgentCore, environment: [String: String]? = nil, logger: Logger = .silent
    ) async -> SystemdReporter? {
        let notifier = environment.map { SystemdNotifier(environment: $0) } ?? SystemdNotifier()
        guard let notifier else { return nil }
        let reporter = SystemdReporter(notifier: notifier, logger: logger)
        await agent.observeLoop { agent in
            reporter.pass(agent.roles().map { ($0.group, $0.role) }, agent.peerLiveness())
        }
        return reporter
    }

    /// One pass of the decision loop: every group's role (config order) and the peers' liveness.
    func pass(
        _ roles: [(group: String, role: Role)], _ peers: (alive: Int, total: Int), now: ContinuousClock.Instant = .now
    ) {
        let report: String? = state.withLock { state in
            guard !state.stopping, !roles.contains(where: { $0.role == .starting }) else { return nil }
            var lines: [String] = []
            if !state.ready {
                state.ready = true
                state.lastPing = now
                lines.append("READY=1")
            }
            let status = Self.summary(roles, peers)
            if status != state.status {
                state.status = status
                lines.append("STATUS=\(status)")
            }
            if let period = notifier.watchdogPeriod, let last = state.lastPing, now - last >= period / 2 {
                state.lastPing = now
                lines.append("WATCHDOG=1")
            }
            return lines.isEmpty ? nil : send(lines.joined(separator: "\n"), &state)
        }
        if let report { logger.log(level: report == Self.recovered ? .info : .warning, "\(report)") }
    }

    /// The agent is stopping (handing its groups over first): `STOPPING=1`; nothing after it.
    public func stopping(_ why: String = "stopping: handing over held groups") {
        let report: String? = state.withLock { state in
            guard !state.stopping else { return nil }
            state.stopping = true
            return send("STOPPING=1\nSTATUS=\(why)", &state)
        }
        if let report { logger.log(level: report == Self.recovered ? .info : .warning, "\(report)") }
    }

    /// A reload (SIGHUP) begins: `RELOADING=1` (with `MONOTONIC_USEC`, which systemd 253 and later
    /// want with it), until `reloaded()` says `READY=1`.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(microseconds)\nSTATUS=reloading the config")
    }

    /// The reload is done (applied or refused): `READY=1`; the next pass sends the status again.
    public func reloaded() {
        notify("READY=1", resetStatus: true)
    }

    private func notify(_ message: String, resetStatus: Bool = false) {
        let report: String? = state.withLock { state in
            guard !state.stopping, state.ready else { return nil }
            if resetStatus { state.status = "" }
            return send(message, &state)
        }
        if let report { logger.log(level: report == Self.recovered ? .info : .warning, "\(report)") }
    }

    static let recovered = "notifying systemd works again"

    /// `web: holder (2 peers ok)`; several groups: `web: holder, db: standby (1 of 2 peers ok)`.
    static func summary(_ roles: [(group: String, role: Role)], _ peers: (alive: Int, total: Int)) -> String {
        let groups = roles.isEmpty ? "no groups" : roles.map { "\($0.group): \($0.role)" }.joined(separator: ", ")
        let heard: String =
            switch peers {
            case (_, 0): "no peers"
            case (let alive, let total) where alive == total: "\(total) \(total == 1 ? "peer" : "peers") ok"
            case (let alive, let total): "\(alive) of \(total) peers ok"
            }
        return "\(groups) (\(heard))"
    }

    /// Sends under the lock (a non-blocking datagram), so nothing a pass sends can follow STOPPING.
    /// Returns what to log: the first failure of a streak, or its end.
    private func send(_ message: String, _ state: inout State) -> String? {
        let failure = notifier.send(message)
        defer { state.failing = failure != nil }
        if let failure, !state.failing { return failure }
        if failure == nil, state.failing { return Self.recovered }
        return nil
    }
}
