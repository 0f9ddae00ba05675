import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc

/// `kind: process`: a process is running, found by name or by pidfile; zombies do not count.
///
/// - A name (`nginx`) matches a process whose /proc/PID/comm is the name (the kernel keeps 15
///   bytes of it) or whose first command-line word has the name as its last path component.
///   Any local user can start a process of any name, so with a name alone the check can be
///   satisfied by anyone: `user:` restricts it to processes of that user, and a pidfile is the
///   recommended form.
/// - An absolute path is a pidfile: the pid it holds must be a live process.
/// - `user:` (a name or uid): the process's real uid (/proc/PID/status `Uid:`) must be that user's.
///
/// /proc is read on a thread of its own (`OffPoolCall`), within the check's timeout.
struct ProcessProbe: CheckProbe {
    let check: CheckConfig
    let user: LocalUser?

    init(check: CheckConfig, options: ProcessCheckOptions = ProcessCheckOptions()) throws {
        self.check = check
        self.user = options.user
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let target = check.target
        let user = user
        let outcome = await OffPoolCall.run(name: "floatip-check", timeout: check.timeout) { () -> (Bool, String) in
            var owner: ProcessTable.Owner?
            if let user {
                switch UserLookup.uid(of: user) {
                case .success(let uid): owner = ProcessTable.Owner(uid: uid, text: UserLookup.text(user, uid: uid))
                case .failure(let failure): return (false, "user: \(failure)")
                }
            }
            return target.hasPrefix("/")
                ? ProcessTable.checkPidfile(target, owner: owner) : ProcessTable.checkName(target, owner: owner)
        }
        guard let outcome else {
            return .since(start, passed: false, "timeout: reading /proc took longer than "
                + check.timeout.shortDescription)
        }
        return .since(start, passed: outcome.0, outcome.1)
    }
}

/// What /proc says about processes.
enum ProcessTable {
    /// How many matching pids a detail names before `…`.
    static let pidsShown = 5

    /// The user a process must run as (`user:`), resolved.
    struct Owner {
        var uid: uid_t
        /// `root (uid 0)`, for details.
        var text: String
    }

    /// Whether a process called `name` runs (as `owner`, when given), and what was found.
    static func checkName(_ name: String, owner: Owner? = nil) -> (Bool, String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return (false, "cannot list /proc")
        }
        let pids = entries.compactMap { Int32($0) }.filter { $0 > 0 }.sorted()
        let named = pids.filter { pid in matches(pid: pid, name: name) && !isZombie(pid) }
        let matching = owner.map { owner in named.filter { realUID($0) == owner.uid } } ?? named
        let asUser = owner.map { " as \($0.text)" } ?? ""
        guard let first = matching.first else {
            let others = named.count - matching.count
            let elsewhere = others == 0 ? "" : others == 1
                ? " (1 process of that name runs as another user)"
                : " (\(others) processes of that name run as other users)"
            return (false, "no process named \(name) is running\(asUser)\(elsewhere)")
        }
        if matching.count == 1 { return (true, "\(name) is running\(asUser) (pid \(first))") }
        let shown = matching.prefix(pidsShown).map(String.init).joined(separator: ", ")
        return (true, "\(name) is running\(asUser) (\(matching.count) processes: pids \(shown)"
            + (matching.count > pidsShown ? ", …)" : ")"))
    }

    /// Whether the pid in the pidfile at `path` is a live process (of `owner`, when given).
    static func checkPidfile(_ path: String, owner: Owner? = nil) -> (Bool, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = access(path, F_OK) == 0 ? "cannot be read" : "does not exist"
            return (false, "pidfile \(path) \(reason)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 64)) ?? Data()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(text), pid > 0 else {
            return (false, "pidfile \(path) holds `\(text.prefix(20))`, not a process id")
        }
        guard let state = state(pid) else { return (false, "pid \(pid) from \(path) is not running") }
        let name = comm(pid) ?? "?"
        if state == "Z" { return (false, "pid \(pid) from \(path) (\(name)) has exited (a zombie)") }
        if let owner {
            guard let uid = realUID(pid) else { return (false, "pid \(pid) from \(path) is not running") }
            guard uid == owner.uid else {
                return (false, "pid \(pid) from \(path) (\(name)) runs as uid \(uid), not as \(owner.text)")
            }
            return (true, "pid \(pid) from \(path) is running as \(owner.text) (\(name))")
        }
        return (true, "pid \(pid) from \(path) is running (\(name))")
    }

    /// The real uid of a process: the first number of the `Uid:` line of /proc/PID/status (nil when gone).
    static func realUID(_ pid: Int32) -> uid_t? {
        guard let status = read("/proc/\(pid)/status", limit: 4096) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
            return line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).first.flatMap { uid_t($0) }
        }
        return nil
    }

    /// comm equals the name, or the first command-line word's last component does (names over 15 bytes).
    static func matches(pid: Int32, name: String) -> Bool {
        if let comm = comm(pid), comm == name { return true }
        return argv0Name(pid) == name
    }

    /// /proc/PID/comm without its newline.
    static func comm(_ pid: Int32) -> String? {
        read("/proc/\(pid)/comm", limit: 64).map { $0.trimmingCharacters(in: .newlines) }
    }

    /// The last path component of the first word of /proc/PID/cmdline (nil for kernel threads).
    static func argv0Name(_ pid: Int32) -> String? {
        guard let cmdline = read("/proc/\(pid)/cmdline", limit: 4096),
            let first = cmdline.split(separator: "\0", omittingEmptySubsequences: false).first, !first.isEmpty
        else { return nil }
        return first.split(separator: "/").last.map(String.init)
    }

    /// The state letter of /proc/PID/stat (`R`, `S`, `Z`, …), nil when there is no such process.
    static func state(_ pid: Int32) -> Character? {
        guard let stat = read("/proc/\(pid)/stat", limit: 1024), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        return stat[stat.index(after: close)...].first { $0 != " " }
    }

    static func isZombie(_ pid: Int32) -> Bool { state(pid) == "Z" }

    /// Up to `limit` bytes of a small file as text.
    private static func read(_ path: String, limit: Int) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
