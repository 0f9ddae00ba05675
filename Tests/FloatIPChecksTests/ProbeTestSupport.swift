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

/// A real child process (`/bin/sleep`, or `program arguments…`), killed when `stop()` is called.
final class Sleeper {
    let process = Process()

    convenience init(seconds: Int = 30) throws { try self.init("/bin/sleep", [String(seconds)]) }

    init(_ program: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
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

/// Appends `text` to the file at `path`, creating it if needed (a log the log check follows).
func append(_ text: String, to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
}
