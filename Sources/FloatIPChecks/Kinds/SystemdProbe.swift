import FloatIPCore
import FloatIPLinux
import Glibc

/// `kind: systemd`: a unit is active, by `systemctl is-active UNIT` (exit 0 only for `active`).
/// Where systemd is not the init system (no /run/systemd/system: containers, other inits) the check
/// fails with that reason; a systemctl that does not answer within the timeout is killed (with its
/// process group, as the `command` check's are).
struct SystemdProbe: CheckProbe {
    let check: CheckConfig
    /// Where systemd marks that it runs the machine (sd_booted(3)).
    static let runtimeDirectory = "/run/systemd/system"
    static let systemctlPaths = ["/usr/bin/systemctl", "/bin/systemctl"]

    init(check: CheckConfig) throws { self.check = check }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let unit = check.target
        var info = stat()
        guard stat(Self.runtimeDirectory, &info) == 0 else {
            return .since(start, passed: false, "systemd is not running here (no \(Self.runtimeDirectory))")
        }
        guard let systemctl = Self.systemctlPaths.first(where: { access($0, X_OK) == 0 }) else {
            return .since(start, passed: false, "systemctl not found (looked in "
                + Self.systemctlPaths.joined(separator: ", ") + ")")
        }
        let remaining = check.timeout - (ContinuousClock.now - start)
        let run = ProcessGroupRun(
            path: systemctl, argv: ["systemctl", "is-active", "--", unit], timeout: max(remaining, .zero), outputLimit: 512)
        let outcome = await run.run()
        let status: Int32
        switch outcome.ending {
        case .exited(let code): status = code
        case .signaled(let signal): return .since(start, passed: false, "systemctl is-active \(unit) ended by signal \(signal)")
        case .notStarted(let error):
            return .since(start, passed: false, "cannot start \(systemctl): \(String(cString: strerror(error)))")
        case .timedOut:
            return .since(start, passed: false, "timeout: systemctl is-active \(unit) did not answer within "
                + check.timeout.shortDescription + " (killed)")
        }
        let text = String(decoding: outcome.output, as: UTF8.self)
        let state = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no output"
        if status == 0 { return .since(start, passed: true, "\(unit) is \(state)") }
        return .since(start, passed: false, "\(unit) is \(state) (systemctl is-active exit \(status))")
    }
}
