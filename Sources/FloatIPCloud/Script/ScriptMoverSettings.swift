import FloatIPCore

/// The options of a `script` mover: the operator's own commands for claim, release and holder.
///
/// ```yaml
/// mover: { kind: script, claim: /usr/local/sbin/vip-claim, release: /usr/local/sbin/vip-release, timeout: 20s }
/// ```
/// Each command is an absolute path run without a shell (its arguments are floatip's, see
/// `ScriptCommand`), or, with `shell: true`, a line for `/bin/sh -c`. Pure: no I/O.
public struct ScriptMoverSettings: Sendable, Equatable {
    /// `claim`: makes this node the holder; required.
    public var claim: String
    /// `release`: gives the addresses up; nil: a release does nothing (like a provider without a detach).
    public var release: String?
    /// `holder`: prints who holds the addresses; nil: `holder` is unknown and nothing is reconciled.
    public var holder: String?
    /// `shell`: each command is a line for `/bin/sh -c` instead of a program's path.
    public var shell: Bool
    /// `claim_timeout`, `release_timeout`, `holder_timeout` (each defaulting to `timeout`, 30 s):
    /// past it the command's whole process group is killed and the operation fails.
    public var claimTimeout: Duration
    public var releaseTimeout: Duration
    public var holderTimeout: Duration
    /// `reconcile_interval`: how often the agent runs `holder` while this node holds the group.
    public var reconcileInterval: Duration

    /// The commands by option name, in order.
    public var commands: [(key: String, command: String)] {
        [("claim", claim), ("release", release), ("holder", holder)].compactMap { entry in
            entry.1.map { (entry.0, $0) }
        }
    }

    /// The default of `timeout`.
    public static let defaultTimeout: Duration = .seconds(30)

    /// Reads the options into `check` (each problem names its key); nil when one is wrong.
    public static func read(_ check: inout OptionCheck) -> ScriptMoverSettings? {
        let before = check.problems.count
        let shell = check.flag("shell")
        let claim = command(&check, "claim", shell: shell, required: true)
        let release = command(&check, "release", shell: shell, required: false)
        let holder = command(&check, "holder", shell: shell, required: false)
        let timeout = check.duration("timeout", default: defaultTimeout, minimum: .milliseconds(10))
        let settings = ScriptMoverSettings(
            claim: claim ?? "", release: release, holder: holder, shell: shell,
            claimTimeout: check.duration("claim_timeout", default: timeout, minimum: .milliseconds(10)),
            releaseTimeout: check.duration("release_timeout", default: timeout, minimum: .milliseconds(10)),
            holderTimeout: check.duration("holder_timeout", default: timeout, minimum: .milliseconds(10)),
            reconcileInterval: check.duration("reconcile_interval", default: .seconds(30), minimum: .milliseconds(100)))
        if holder == nil, check.options["reconcile_interval"] != nil {
            check.report("reconcile_interval", "needs a `holder` command: the agent reconciles by asking it who holds the group")
        }
        check.finish(kind: .script)
        return check.problems.count == before && claim != nil ? settings : nil
    }

    /// One command option: an absolute path (no shell), or any line with `shell: true`.
    private static func command(_ check: inout OptionCheck, _ key: String, shell: Bool, required: Bool) -> String? {
        let what = "the program floatip runs to \(key == "holder" ? "ask who holds the group" : "\(key) the group")"
        guard let text = required ? check.required(key, what) : check.optional(key) else { return nil }
        if !shell, !text.hasPrefix("/") {
            check.report(key, "`\(text)` is not an absolute path; give the program's full path "
                + "(e.g. `/usr/local/sbin/vip-\(key)`), or set `shell: true` to run it as a line for /bin/sh")
            return nil
        }
        if !shell, text.contains(where: \.isWhitespace) {
            check.report(key, "`\(text)` has spaces: without `shell: true` it is one program's path, and floatip gives "
                + "the arguments (operation, group, node, term, addresses); set `shell: true` to write a command line")
            return nil
        }
        return text
    }
}
