import Foundation
import Glibc
import Synchronization

/// One process the lab started, as recorded in its state file.
public struct LabProcess: Codable, Sendable, Equatable {
    /// `agent` or `responder`.
    public var role: String
    /// The node it serves (`web1`).
    public var node: String
    /// Its PID (`ip netns exec` execs in place, so this is the agent's or responder's own PID).
    public var pid: Int32

    public init(role: String, node: String, pid: Int32) {
        self.role = role
        self.node = node
        self.pid = pid
    }
}

/// Checks on and ends processes by PID, with care: only a process whose command line names the
/// lab's directory is signalled, so a PID the kernel has since given to another program is left alone.
public enum LabProcesses {
    /// The children `LabSpawn` started in this process and nobody has reaped yet. Only these are
    /// ever reaped here: a `waitpid` on any other PID could take the exit of a child that PID now
    /// belongs to (PIDs come round again within minutes where `pid_max` is 32768), such as an `ip`
    /// that Foundation's `Process` waits for, which then waits forever.
    private static let unreaped = Mutex<Set<Int32>>([])

    /// Records a child `LabSpawn` started, for `isRunning` to reap.
    static func adopt(_ pid: Int32) {
        unreaped.withLock { _ = $0.insert(pid) }
    }

    /// Whether `pid` runs (a zombie counts as ended; one of our spawned children is reaped here).
    public static func isRunning(_ pid: Int32) -> Bool {
        let reaped = unreaped.withLock { children -> Bool in
            guard children.contains(pid) else { return false }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return false }
            children.remove(pid)
            return true
        }
        if reaped { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // `pid (comm) S …`: the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// The process's arguments, or nil if it is gone.
    public static func commandLine(_ pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `pid` runs and is one of this lab's (an argument mentions `marker`, the lab's directory).
    public static func belongs(_ pid: Int32, to marker: String) -> Bool {
        guard isRunning(pid), let arguments = commandLine(pid) else { return false }
        return arguments.contains { $0.contains(marker) }
    }

    /// Sends SIGTERM to every PID, waits up to `grace` for them to end, then SIGKILLs the rest and
    /// waits (bounded) for them too. Returns the PIDs that needed SIGKILL.
    @discardableResult
    public static func stop(_ pids: [Int32], grace: Duration) -> [Int32] {
        // SIGCONT after SIGTERM: a stopped process (a chaos stall) handles the SIGTERM and hands
        // over, instead of waiting out the grace for SIGKILL.
        for pid in pids {
            kill(pid, SIGTERM)
            kill(pid, SIGCONT)
        }
        var running = waitForExit(pids, within: grace)
        guard !running.isEmpty else { return [] }
        let killed = running
        for pid in running { kill(pid, SIGKILL) }
        running = waitForExit(running, within: .seconds(2))
        return killed
    }

    /// Polls (every 10 ms) until none of `pids` runs or `limit` has passed; the ones still running.
    static func waitForExit(_ pids: [Int32], within limit: Duration) -> [Int32] {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var running = pids.filter(isRunning)
        while !running.isEmpty, clock.now < deadline {
            usleep(10_000)
            running = running.filter(isRunning)
        }
        return running
    }
}
