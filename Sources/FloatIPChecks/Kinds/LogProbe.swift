import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc
import Synchronization

/// The `log` check: follows `target` like `tail -F` (see `LogTail`: starts at the end, follows rename
/// and truncation, never rereads the file) and counts the new lines that match `pattern` in a sliding
/// `window`; more than `threshold` of them fail the check.
///
/// The file is a local user's way in, so a run cannot be turned against the agent:
/// - only a regular file owned by root, the agent's own user or `owner:` is read, opened without
///   following a symbolic link and without waiting on a FIFO (`LogTail`); anything else fails the
///   check and says why;
/// - reading and matching run on a thread of their own (`OffPoolCall`), never on the concurrency
///   pool, and the run fails with `timeout` when they take longer than the check's timeout. A regex
///   match cannot be interrupted: a pattern that backtracks catastrophically on some line keeps its
///   thread busy until it ends. So at most one scan is in flight per check: while one has not
///   returned, runs fail as `hung` without starting another;
/// - a pattern sees at most the first `matchLimit` bytes of a line, and a detail (which goes to
///   status, events and hooks' environment) is at most `DetailText.byteLimit` bytes.
///
/// A run reads at most `LogTail.readLimit` (1 MiB) of new bytes. A missing file passes (a rotation
/// can leave the path empty for a moment) and says so. Matches are timed by the run that found them.
final class LogProbe: CheckProbe {
    let check: CheckConfig
    let options: LogCheckOptions
    /// Bytes of a line that the pattern is matched against.
    static let matchLimit = 4096
    private let regex: CompiledRegex
    private let state: Mutex<(tail: LogTail, window: MatchWindow)>
    /// When the scan in flight started; nil when none is.
    private let scanning = Mutex<ContinuousClock.Instant?>(nil)

    /// Why a log check cannot be made.
    struct ConfigError: Error, CustomStringConvertible {
        var description: String
    }

    init(check: CheckConfig, options: LogCheckOptions) throws {
        guard check.target.hasPrefix("/") else {
            throw ConfigError(
                description: "log check \"\(check.name)\": target \"\(check.target)\" is not an absolute path")
        }
        do {
            regex = try CompiledRegex(pattern: options.pattern)
        } catch {
            throw ConfigError(
                description: "log check \"\(check.name)\": pattern \"\(options.pattern)\" does not compile")
        }
        self.check = check
        self.options = options
        state = Mutex((tail: LogTail(path: check.target), window: MatchWindow(window: options.window)))
    }

    deinit {
        state.withLock { $0.tail.close() }
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let inFlightSince = scanning.withLock { since -> ContinuousClock.Instant? in
            if let since { return since }
            since = start
            return nil
        }
        if let inFlightSince {
            return .since(start, passed: false, bounded(
                "hung: reading and matching \(check.target) has not returned for "
                    + (start - inFlightSince).shortDescription + " (a pattern that backtracks without end?); "
                    + "no new run until it does"))
        }
        let scanned = await OffPoolCall.run(name: "floatip-check", timeout: check.timeout) { [self] () -> (Bool, String) in
            defer { scanning.withLock { $0 = nil } }
            return scan()
        }
        guard let (passed, detail) = scanned else {
            return .since(start, passed: false, bounded(
                "timeout: reading and matching \(check.target) took longer than \(check.timeout.shortDescription)"))
        }
        return .since(start, passed: passed, bounded(detail))
    }

    /// The users whose files a log check reads: root, the agent's own user (who could change the
    /// agent anyway) and the configured owner; or why the owner cannot be found.
    static func owners(_ options: LogCheckOptions) -> Result<[uid_t], UserLookup.Failure> {
        var owners: [uid_t] = [0]
        if geteuid() != 0 { owners.append(geteuid()) }
        if let owner = options.owner {
            switch UserLookup.uid(of: owner) {
            case .success(let uid): if !owners.contains(uid) { owners.append(uid) }
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(owners)
    }

    /// Why the agent would refuse to read a log check's existing target (`check-config` says so
    /// before the agent runs: a link, not a regular file, another owner), or nil. A missing file is no
    /// problem (it may appear later); an unknown owner is reported by `check-config` elsewhere.
    static func targetProblem(_ check: CheckConfig, options: LogCheckOptions) -> String? {
        guard case .success(let owners) = owners(options) else { return nil }
        var info = stat()
        guard lstat(check.target, &info) == 0 else { return nil }
        guard let problem = LogTail.problem(path: check.target, info: info, owners: owners) else { return nil }
        let fix =
            info.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG)
            ? "; if that user owns this log, say so with `owner: \(userName(uid: info.st_uid) ?? String(info.st_uid))`"
            : "; name the regular file itself"
        return "the agent will not read it: \(problem)\(fix) (docs/security.md)"
    }

    /// Reads what is new, matches it and judges; blocking (file system, regex).
    private func scan() -> (Bool, String) {
        let owners: [uid_t]
        switch Self.owners(options) {
        case .success(let found): owners = found
        case .failure(let failure): return (false, "owner: \(failure)")
        }
        return state.withLock { state in
            let read = state.tail.read(owners: owners)
            var matches = 0
            var lastMatch: ArraySlice<UInt8>?
            for line in read.lines {
                let head = line.prefix(Self.matchLimit)
                if regex.matches(String(decoding: head, as: UTF8.self)) {
                    matches += 1
                    lastMatch = head
                }
            }
            let now = ContinuousClock.now
            if let lastMatch { state.window.record(matches, lastLine: DetailText.line(lastMatch), at: now) }
            let count = state.window.count(now: now)
            // The old file's last lines before a rotation to something refused still count.
            if let refused = read.refused { return (false, "refused: \(refused)") }
            return judge(count: count, lastLine: state.window.lastLine, missing: read.missing)
        }
    }

    private func bounded(_ detail: String) -> String { DetailText.bounded(detail) }

    private func judge(count: Int, lastLine: String?, missing: Bool) -> (Bool, String) {
        let window = "in the last \(options.window.shortDescription)"
        let what = "matching \"\(options.pattern)\" \(window)"
        let passed = count <= options.threshold
        var detail: String
        switch count {
        case 0: detail = "no lines \(what)"
        case 1: detail = "1 line \(what)"
        default: detail = "\(count) lines \(what)"
        }
        if count > 0 { detail += passed ? " (at most \(options.threshold))" : " (more than \(options.threshold))" }
        if let lastLine, count > 0 { detail += "; last: \(lastLine)" }
        if missing { detail += "; \(check.target) does not exist (yet)" }
        return (passed, detail)
    }
}

/// What `check-config` asks of a log check before the agent runs.
public enum LogCheckTarget {
    /// Why the agent would refuse to read the check's existing target, or nil (`LogProbe.targetProblem`).
    public static func problem(_ check: CheckConfig, options: LogCheckOptions) -> String? {
        LogProbe.targetProblem(check, options: options)
    }
}
