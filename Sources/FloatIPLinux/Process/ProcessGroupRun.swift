import CFloatIPLinux
import Foundation
import Glibc
import Synchronization

/// Runs a program in a process group of its own, captures its standard output and error (one pipe,
/// bounded), and cuts the whole group off at a deadline: SIGTERM to the group, a short grace, then
/// SIGKILL to the group, so grandchildren die with it.
///
/// Why posix_spawn and not swift-subprocess: the check needs the child in its own process group *and*
/// a kill of that group (not only of the child) at the deadline; posix_spawn's `POSIX_SPAWN_SETPGROUP`
/// does the first, and `kill(-pgid, …)` while the leader is still an unreaped zombie does the second
/// without any chance of hitting a reused pid. That is a few dozen lines of Glibc and no new dependency.
///
/// The supervision (poll on the pipe, waitid on the child) blocks, so it runs on a thread of its own,
/// never on the Swift concurrency pool; the caller awaits it. Every wait inside is bounded by the
/// deadline, and by the grace after it.
///
/// Used by the `command` check and by the agent's hooks.
public struct ProcessGroupRun: Sendable {
    /// How a run ended.
    public enum Ending: Sendable, Equatable {
        /// The program exited with this status.
        case exited(Int32)
        /// A signal ended the program (not one the run sent).
        case signaled(Int32)
        /// The deadline passed (or the caller was cancelled); the group got SIGTERM, and SIGKILL after
        /// the grace. `leaderExitedOnTerm` says whether the leader had gone before the SIGKILL.
        case timedOut(leaderExitedOnTerm: Bool)
        /// posix_spawn failed: the program is missing, not executable, … (errno).
        case notStarted(Int32)
    }

    /// The process's ending, its process id (0 when not started) and the last bytes of its output.
    public struct Outcome: Sendable {
        public var ending: Ending
        public var pid: pid_t
        public var output: [UInt8]
    }

    /// The program: an absolute path, or a name looked up in PATH.
    public var path: String
    /// argv, the program's name first.
    public var argv: [String]
    public var timeout: Duration
    /// Between SIGTERM and SIGKILL.
    public var grace: Duration
    /// Variables set for the program on top of the few it keeps of the agent's environment (see
    /// `childEnvironment`); they replace ones of the same name.
    public var environment: [String: String]
    /// How long a run waits for the leader to go after SIGKILL.
    static let killWait: Duration = .seconds(2)
    /// How many of the output's last bytes are kept.
    public var outputLimit: Int

    /// A run of `path` with `argv` (its name first), cut off at `timeout`.
    public init(
        path: String, argv: [String], timeout: Duration, grace: Duration = .milliseconds(200),
        environment: [String: String] = [:], outputLimit: Int = 64 * 1024
    ) {
        self.path = path
        self.argv = argv
        self.timeout = timeout
        self.grace = grace
        self.environment = environment
        self.outputLimit = outputLimit
    }

    /// Runs the program on a thread of its own and waits for it without blocking the caller's executor.
    /// Cancelling the calling task ends the run as a timeout.
    public func run() async -> Outcome {
        let cancelled = CancelFlag()
        return await withTaskCancellationHandler {
            await OffPoolCall.run(name: "floatip-command") { () -> Outcome in runBlocking(cancelled: cancelled) }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Spawns, reads and waits; blocks the calling thread until the run is over (deadline + grace at most).
    public func runBlocking(cancelled: CancelFlag = CancelFlag()) -> Outcome {
        let deadline = ContinuousClock.now + timeout
        var pipeFDs: [Int32] = [-1, -1]
        // (Swift's Glibc has no pipe2: the flags are set right after; a program another thread spawns
        // in between could inherit the pipe, which only delays an end of file this loop does not need.)
        guard pipe(&pipeFDs) == 0 else { return Outcome(ending: .notStarted(errno), pid: 0, output: []) }
        _ = fcntl(pipeFDs[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(pipeFDs[0], F_SETFL, O_NONBLOCK)
        let readFD = pipeFDs[0]
        defer { close(readFD) }
        // Never the agent's whole environment: credentials given as `*_env` live there.
        let spawned = ChildSpawn.start(
            path: path, argv: argv, environment: Self.childEnvironment(environment), output: pipeFDs[1])
        close(pipeFDs[1])
        let pid: pid_t
        switch spawned {
        case .failure(let error): return Outcome(ending: .notStarted(error.errno), pid: 0, output: [])
        case .success(let child): pid = child
        }
        var output = OutputTail(limit: outputLimit)
        var pipeOpen = true
        var idleSleep: Int32 = 1
        // Until the child exits or the deadline passes; each turn waits at most 20 ms.
        while !cancelled.isSet {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            let waitMS = Int32(min(remaining, .milliseconds(20)).wholeMilliseconds + 1)
            if pipeOpen {
                var descriptor = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, waitMS)
                pipeOpen = output.drain(readFD)
            } else {
                // Output closed: the child is exiting (or handed its output to a grandchild); wait with
                // a short backoff so a quick exit is noticed within a millisecond or two.
                _ = poll(nil, 0, min(idleSleep, waitMS))
                idleSleep = min(idleSleep * 2, 20)
            }
            if hasExited(pid) {
                _ = output.drain(readFD)
                return Outcome(ending: reap(pid), pid: pid, output: output.bytes)
            }
        }
        // Out of time: the whole group, politely first.
        kill(-pid, SIGTERM)
        let graceEnd = ContinuousClock.now + grace
        var leaderGone = false
        while ContinuousClock.now < graceEnd {
            if hasExited(pid) {
                leaderGone = true
                break
            }
            _ = poll(nil, 0, 5)
            _ = output.drain(readFD)
        }
        // Always, so grandchildren that ignore SIGTERM or outlive the leader die too. The leader is not
        // reaped yet, so the group id cannot belong to anyone else.
        kill(-pid, SIGKILL)
        // SIGKILL ends anything but a process stuck in the kernel (D state, a dead NFS server): wait at
        // most `killWait` for the leader, then leave it rather than hang the check (it stays a zombie).
        let killEnd = ContinuousClock.now + Self.killWait
        while !hasExited(pid) && ContinuousClock.now < killEnd { _ = poll(nil, 0, 5) }
        if hasExited(pid) { _ = reap(pid) }
        _ = output.drain(readFD)
        return Outcome(ending: .timedOut(leaderExitedOnTerm: leaderGone), pid: pid, output: output.bytes)
    }

    /// The `PATH` a child gets when the agent has none.
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Whether a variable of the agent's own environment is passed on to a child: `PATH`, `LANG`,
    /// `LC_*` and `TZ`, nothing else (cloud credentials given as `*_env`, `NOTIFY_SOCKET`, … stay in
    /// the agent).
    public static func isPassedOn(_ name: some StringProtocol) -> Bool {
        name == "PATH" || name == "LANG" || name == "TZ" || name.hasPrefix("LC_")
    }

    /// A child's environment (`NAME=value` entries, sorted by name): the allowed variables of this
    /// process's environment (`isPassedOn`; `PATH` defaults to `defaultPath`) with `overrides` on top.
    static func childEnvironment(_ overrides: [String: String]) -> [String] {
        // From `environ` itself, so it is what this process has now (also after a setenv).
        var inherited: [String: String] = [:]
        if var pointer = Optional(environ) {
            while let entry = pointer.pointee {
                let text = String(cString: entry)
                if let equals = text.firstIndex(of: "="), isPassedOn(text[..<equals]) {
                    inherited[String(text[..<equals])] = String(text[text.index(after: equals)...])
                }
                pointer += 1
            }
        }
        return childEnvironment(overrides, inherited: inherited)
    }

    /// `childEnvironment` of an explicit `inherited` environment (for tests).
    static func childEnvironment(_ overrides: [String: String], inherited: [String: String]) -> [String] {
        var variables = inherited.filter { isPassedOn($0.key) }
        if variables["PATH"] == nil { variables["PATH"] = defaultPath }
        variables.merge(overrides) { _, override in override }
        return variables.keys.sorted().map { "\($0)=\(variables[$0]!)" }
    }

    /// Whether the child has exited, without reaping it (its pid, and so its group id, stay ours).
    private func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            if result == -1 && errno == EINTR { continue }
            // waitid leaves si_pid 0 while the child is still running.
            return result == -1 || info._sifields._sigchld.si_pid == pid
        }
    }

    /// Reaps the child (blocking until it exits) and says how it ended.
    private func reap(_ pid: pid_t) -> Ending {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return .exited(-1) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}

/// Set from a cancellation handler, read by the supervising thread.
public final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .relaxed) }
    public func set() { flag.store(true, ordering: .relaxed) }
}

/// The last `limit` bytes read from a pipe.
public struct OutputTail {
    let limit: Int
    private(set) var storage: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    var bytes: [UInt8] { Array(storage.suffix(limit)) }

    /// Reads what the non-blocking `fd` has now. Returns false at end of file or on an error.
    mutating func drain(_ fd: Int32) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        // At most 64 reads a call (1 MiB), so a chatty child cannot keep the supervisor from its clock.
        for _ in 0..<64 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                storage.append(contentsOf: chunk[0..<count])
                if storage.count > 2 * limit { storage.removeFirst(storage.count - limit) }
                continue
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK
        }
        return true
    }

    /// The last `count` non-empty lines of `output`, each made printable.
    public static func lastLines(of output: [UInt8], count: Int) -> [String] {
        let lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        return lines.suffix(count).map { printableLine($0) }.filter { !$0.isEmpty }
    }

    /// A line of output made safe to log: invalid UTF-8 repaired, control characters dropped, cut to
    /// `limit` characters.
    public static func printableLine(_ bytes: some Collection<UInt8>, limit: Int = 200) -> String {
        let decoded = String(decoding: bytes, as: UTF8.self)
        var text = ""
        for scalar in decoded.unicodeScalars where scalar.value >= 0x20 && scalar.value != 0x7f {
            text.unicodeScalars.append(scalar)
        }
        if text.count > limit { return String(text.prefix(limit)) + "…" }
        return text
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    fileprivate var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

extension ProcessGroupRun.Outcome {
    /// How the run of `program` ended, for a log line: `exit 3`, `killed by signal 9`, `no exit
    /// within 2s; process group 4242 killed (SIGKILL)`, `cannot start /x: No such file or directory`.
    public func endingText(program: String, timeout: Duration) -> String {
        switch ending {
        case .exited(let status): "exit \(status)"
        case .signaled(let signal): "killed by signal \(signal)"
        case .timedOut(let onTerm):
            "no exit within \(timeout.shortDescription); process group \(pid) killed (" + (onTerm ? "SIGTERM" : "SIGKILL") + ")"
        case .notStarted(let errno): "cannot start \(program): \(String(cString: strerror(errno)))"
        }
    }
}
