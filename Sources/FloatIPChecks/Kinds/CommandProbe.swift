import FloatIPCore
import FloatIPLinux
import Glibc

/// The `command` check: runs `target` with `arguments` (no shell), or `/bin/sh -c target` when the
/// config sets `shell: true`; exit status 0 passes. Standard output and error are captured together
/// (the last 64 KiB) and the last `detailLines` lines go in the detail.
///
/// The program runs in a process group of its own; at the timeout the whole group gets SIGTERM and,
/// `grace` later, SIGKILL, so whatever it started dies with it (see `ProcessGroupRun`). A program that
/// cannot be started (missing, not executable) fails with the system's reason. Processes the program
/// leaves running after it *exits* on its own are left alone, as keepalived's track_script does.
struct CommandProbe: CheckProbe {
    let check: CheckConfig
    private let runner: ProcessGroupRun

    /// How many of the output's last lines the detail shows.
    static let detailLines = 5
    /// Between SIGTERM and SIGKILL at the timeout.
    static let grace: Duration = .milliseconds(200)

    /// Why a command check cannot be made.
    struct ConfigError: Error, CustomStringConvertible {
        var description: String
    }

    init(check: CheckConfig, options: CommandCheckOptions) throws {
        guard !check.target.isEmpty else {
            throw ConfigError(description: "command check \"\(check.name)\": no target")
        }
        self.check = check
        if options.shell {
            // $0 of the shell is "sh"; the arguments become $1….
            let argv = ["/bin/sh", "-c", check.target] + (options.arguments.isEmpty ? [] : ["sh"] + options.arguments)
            runner = ProcessGroupRun(path: "/bin/sh", argv: argv, timeout: check.timeout, grace: Self.grace)
        } else {
            runner = ProcessGroupRun(
                path: check.target, argv: [check.target] + options.arguments, timeout: check.timeout, grace: Self.grace)
        }
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let outcome = await runner.run()
        let duration = ContinuousClock.now - start
        let lines = OutputTail.lastLines(of: outcome.output, count: Self.detailLines)
        let output = lines.isEmpty ? "" : ": " + lines.joined(separator: " | ")
        switch outcome.ending {
        case .exited(0):
            return CheckResult(passed: true, detail: "exit 0" + output, duration: duration)
        case .exited(let status):
            return CheckResult(passed: false, detail: "exit \(status)" + output, duration: duration)
        case .signaled(let signal):
            return CheckResult(
                passed: false, detail: "killed by signal \(signal) (\(Self.signalName(signal)))" + output,
                duration: duration)
        case .timedOut(let leaderExitedOnTerm):
            let how = leaderExitedOnTerm ? "SIGTERM" : "SIGKILL after \(Self.grace.shortDescription)"
            return CheckResult(
                passed: false,
                detail: "no exit within \(check.timeout.shortDescription), process group \(outcome.pid) "
                    + "killed (\(how))" + output,
                duration: duration)
        case .notStarted(let code):
            return CheckResult(
                passed: false, detail: "cannot run \(runner.path): \(String(cString: strerror(code)))",
                duration: duration)
        }
    }

    private static func signalName(_ signal: Int32) -> String {
        guard let name = strsignal(signal) else { return "signal \(signal)" }
        return String(cString: name)
    }
}
