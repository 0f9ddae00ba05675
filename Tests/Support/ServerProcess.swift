import Foundation

/// What the tests' real servers (BIND, etcd) share: a process started with its output in a log
/// file, ended by its PID, and the tail of its log for failure messages.
public enum ServerProcess {
    /// Starts `arguments` through /usr/bin/env (inside `namespace` with `ip netns exec`, when given),
    /// standard output and error appended to `log` (created empty).
    public static func start(_ arguments: [String], namespace: String?, log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = namespace.map { ["ip", "netns", "exec", $0] + arguments } ?? arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Ends `process` by its PID: SIGCONT (it may be stopped), SIGTERM, SIGKILL after 3 s; then waits for it.
    public static func end(_ process: Process?) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGCONT)
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits (at most 10 s) until the file at `path` exists (a daemon's socket or PID file); throws
    /// with the tail of `log` when `process` ends first or the time runs out.
    public static func waitForFile(_ path: String, from process: Process?, name: String, log: String) throws {
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: path) {
            guard Date() < deadline, process?.isRunning == true else {
                throw CommandError(arguments: [name], status: 1, stderr: tail(log))
            }
            usleep(20_000)
        }
    }

    /// The last `count` lines of the file at `path` ("" when unreadable).
    public static func tail(_ path: String, lines count: Int = 15) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(count).joined(separator: "\n")
    }
}
