import FloatIPCore
import Foundation
import Glibc

/// `kind: systemd`: a unit is active, by `systemctl is-active UNIT` (exit 0 only for `active`).
/// Where systemd is not the init system (no /run/systemd/system: containers, other inits) the check
/// fails with that reason; a systemctl that does not answer within the timeout is killed.
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemctl)
        process.arguments = ["is-active", "--", unit]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .since(start, passed: false, "cannot start \(systemctl): \(error)")
        }
        let pid = process.processIdentifier
        let remaining = check.timeout - (ContinuousClock.now - start)
        let reading = output.fileHandleForReading
        let ended = await BlockingCall.run(timeout: max(remaining, .zero)) { () -> (Int32, String) in
            let data = reading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data.prefix(512), as: UTF8.self))
        }
        guard let ended else {
            kill(pid, SIGKILL)
            return .since(start, passed: false, "timeout: systemctl is-active \(unit) did not answer within "
                + check.timeout.shortDescription + " (killed)")
        }
        let (status, text) = ended
        let state = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "no output"
        if status == 0 { return .since(start, passed: true, "\(unit) is \(state)") }
        return .since(start, passed: false, "\(unit) is \(state) (systemctl is-active exit \(status))")
    }
}
