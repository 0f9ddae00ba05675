import CFloatIPLinux
import Glibc

/// The one rule for every file that holds a secret (`secret_file`, `api.token_file`, a cloud
/// mover's `*_file`, the DNS mover's TSIG `key_file`, etcd's `password_file` and TLS `key_file`):
///
/// - its owner is root or the agent's own user; anyone else could change the secret;
/// - others may neither read nor write it, nor may its group write it: refused, with the `chmod`
///   that fixes it;
/// - its group may read it (Debian's `root:floatip` mode 0640): allowed, and `check-config` warns.
///
/// `check-config` reports a refusal as an error and the agent refuses to use the file, with the same
/// words. A file that cannot be `stat`ed is left to the caller (it reports a missing file itself).
public enum SecretFileRule {
    /// What the rule says about one file.
    public enum Verdict: Sendable, Equatable {
        case fine
        /// Readable by its group: allowed; the message is `check-config`'s warning.
        case groupReadable(String)
        /// Not to be used: the message names the file, what is wrong and the fix.
        case refused(String)

        /// The refusal's message, nil when the file may be used.
        public var refusal: String? {
            if case .refused(let message) = self { return message }
            return nil
        }

        /// The warning's message, nil when there is none.
        public var warning: String? {
            if case .groupReadable(let message) = self { return message }
            return nil
        }
    }

    /// The rule for a file at `path` with permission bits `mode` owned by `owner`, read by an agent
    /// running as `agentUID`. Pure.
    public static func judge(path: String, mode: UInt32, owner: UInt32, agentUID: UInt32) -> Verdict {
        let octal = "0" + String(mode & 0o777, radix: 8)
        if owner != 0 && owner != agentUID {
            return .refused("\(path) belongs to uid \(owner), neither root nor the agent's user (uid \(agentUID)), "
                + "who could change the secret; run `chown root \(path)`")
        }
        if mode & 0o006 != 0 {
            return .refused("\(path) can be read or written by others (mode \(octal)); run `chmod 600 \(path)`")
        }
        if mode & 0o020 != 0 {
            return .refused("\(path) can be written by its group (mode \(octal)); run `chmod 600 \(path)` "
                + "(or `chmod 640 \(path)` to let its group read it)")
        }
        if mode & 0o040 != 0 {
            return .groupReadable("\(path) can be read by its group (mode \(octal)); fine when that group holds "
                + "only the agent's user or trusted operators (root:floatip 0640), otherwise run `chmod 600 \(path)`")
        }
        return .fine
    }

    /// The rule for the file at `path` now (`stat`, following links), for this process as the agent;
    /// `.fine` when it cannot be `stat`ed. `owner: false` leaves the owner out: for a client such as
    /// `floatip status`, which runs as an operator, not as the agent, and only sends the token.
    public static func check(_ path: String, owner: Bool = true) -> Verdict {
        var info = stat()
        guard stat(path, &info) == 0 else { return .fine }
        let uid = UInt32(geteuid())
        return judge(path: path, mode: UInt32(info.st_mode), owner: owner ? UInt32(info.st_uid) : uid, agentUID: uid)
    }
}
