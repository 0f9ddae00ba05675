import FloatIPCore
import Foundation
import Synchronization

/// The `log` check: follows `target` like `tail -F` (see `LogTail`: starts at the end, follows rename
/// and truncation, never rereads the file) and counts the new lines that match `pattern` in a sliding
/// `window`; more than `threshold` of them fail the check.
///
/// A run reads at most `LogTail.readLimit` (1 MiB) of new bytes from a local file, which takes well under
/// any sensible timeout, so the timeout is not enforced separately. A missing file passes (a rotation
/// can leave the path empty for a moment) and says so. Matches are timed by the run that found them.
final class LogProbe: CheckProbe {
    let check: CheckConfig
    let options: LogCheckOptions
    private let regex: CompiledRegex
    private let state: Mutex<(tail: LogTail, window: MatchWindow)>

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
        let (passed, detail) = state.withLock { state in
            let read = state.tail.read()
            var matches = 0
            var lastMatch: [UInt8]?
            for line in read.lines where regex.matches(String(decoding: line, as: UTF8.self)) {
                matches += 1
                lastMatch = line
            }
            let now = ContinuousClock.now
            if let lastMatch { state.window.record(matches, lastLine: DetailText.line(lastMatch), at: now) }
            let count = state.window.count(now: now)
            return judge(count: count, lastLine: state.window.lastLine, missing: read.missing)
        }
        return CheckResult(passed: passed, detail: detail, duration: ContinuousClock.now - start)
    }

    private func judge(count: Int, lastLine: String?, missing: Bool) -> (Bool, String) {
        let window = "in the last \(DetailText.duration(options.window))"
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
