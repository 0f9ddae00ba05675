import FloatIPChecks
import FloatIPCore
import Foundation

/// A check as the tests write it: required, 1 s interval, the given timeout.
func check(
    _ kind: CheckKind, _ target: String, timeout: Duration = .milliseconds(500), options: CheckOptions? = nil
) -> CheckConfig {
    CheckConfig(name: "t-\(kind.rawValue)", kind: kind, target: target, timeout: timeout, options: options)
}

/// The probe for a check, in `namespace` if given.
func probe(_ check: CheckConfig, namespace: String? = nil) throws -> any CheckProbe {
    try CheckProbes.make(check, context: CheckContext(namespace: namespace))
}

/// A real child process (`/bin/sleep`), killed when `stop()` is called.
final class Sleeper {
    let process = Process()

    init(seconds: Int = 30) throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = [String(seconds)]
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGKILL, then reap it (so it is gone, not a zombie).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
