import Foundation
import Testing

/// Programs some tests drive (chromium, groff, systemd-analyze, …), which CI installs from
/// scripts/test-packages.txt. Missing in CI (`CI=true`) is a test failure; missing on a
/// developer's machine, the test prints why and skips.
public enum ExternalTool {
    /// Whether this run is CI's.
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The path of `name` on PATH (or in /usr/sbin, /sbin), or nil after recording (CI) or
    /// printing (elsewhere) that `purpose` is skipped because Debian package `package` is missing.
    public static func find(_ name: String, for purpose: String, package: String) -> String? {
        let path = path(of: name)
        if path == nil {
            let reason = "\(name) not found (Debian package \(package)): \(purpose) skipped"
            if inCI { Issue.record("\(reason); CI must install it (scripts/test-packages.txt)") } else { print(reason) }
        }
        return path
    }

    /// The path of the program `name`: the first executable one on PATH, then in /usr/sbin, /sbin,
    /// /usr/bin (where Debian puts servers that a non-root PATH lacks); nil when there is none.
    public static func path(of name: String) -> String? {
        ((ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin:/usr/bin")
            .split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What a finished program printed, and how it ended.
    public struct Run: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `arguments` (the program's path first) with standard input from /dev/null, in
    /// `directory` if given; kills it (SIGKILL, by PID) if it runs longer than `limit`. Every test
    /// that runs a program to its end does it here. Blocks: call it off the cooperative pool.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil,
        limit: Duration = .seconds(60)
    ) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        let milliseconds = Int(limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds), execute: watchdog)
        // Read both pipes at once: a program that fills one while we wait on the other would hang.
        let errorData = ReadOnce()
        let finished = DispatchSemaphore(value: 0)
        Thread {
            errorData.data = err.fileHandleForReading.readDataToEndOfFile()
            finished.signal()
        }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        finished.wait()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errorData.data, as: UTF8.self))
    }
}

/// What the reader thread read; handed over through the semaphore.
private final class ReadOnce: @unchecked Sendable {
    var data = Data()
}
