extension ConfigReader {
    /// The target's form, by kind (docs/config.md, "checks"). `shell`: a command check's target is a
    /// shell command line rather than a program's path.
    mutating func checkTarget(_ entries: Fields, kind: CheckKind, target: String, shell: Bool) {
        guard let problem = CheckTargetRule.problem(kind: kind, target: target, shell: shell) else { return }
        report(entries.path("target"), line: entries.line(of: "target"), problem)
    }
}

/// What a check's target must look like, kind by kind.
enum CheckTargetRule {
    /// Why `target` is not a target for a check of `kind`, or nil when it is one.
    static func problem(kind: CheckKind, target: String, shell: Bool) -> String? {
        switch kind {
        case .http:
            if !(target.hasPrefix("http://") || target.hasPrefix("https://")) || target.contains(" ")
                || target.hasSuffix("://")
            {
                return "`\(target)` is not an http check target; write a URL such as `http://127.0.0.1/health`"
            }
        case .tcp:
            if hostPort(target) == nil {
                return "`\(target)` is not a tcp check target; write an address and port such as `127.0.0.1:80` "
                    + "or `[::1]:80`"
            }
        case .ping:
            if IPAddress(target) == nil {
                return "`\(target)` is not a ping check target; write an IP address such as `198.18.0.254`"
            }
        case .command:
            if !shell && !isAbsolutePath(target) {
                return "`\(target)` must be an absolute path to a program (starting with `/`); "
                    + "to run a shell command line instead, add `shell: true`"
            }
        case .process:
            if target.hasPrefix("/") ? !isAbsolutePath(target) : target.contains("/") {
                return "`\(target)` is not a process check target; write a process name such as `nginx`, or the "
                    + "absolute path of its pidfile such as `/run/nginx.pid`"
            }
        case .systemd:
            if !isUnitName(target) {
                return "`\(target)` is not a systemd unit name; write one such as `nginx.service` (letters, digits "
                    + "and `:_.@-\\`)"
            }
        case .file, .log:
            if !isAbsolutePath(target) {
                return "`\(target)` must be an absolute path (starting with `/`)"
            }
        case .interface:
            if !isInterfaceName(target) {
                return "`\(target)` is not an interface name; write one such as `eth0` (1 to 15 bytes, "
                    + "no `/`, `:` or spaces)"
            }
        case .track:
            break  // synthesized from `track:`, whose targets its own parser checks
        }
        return nil
    }

    static func isAbsolutePath(_ text: String) -> Bool { text.hasPrefix("/") && text.count > 1 }

    /// systemd's unit name characters (systemd.unit(5)), at most 255 bytes.
    static func isUnitName(_ text: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.@-\\")
        return (1...255).contains(text.utf8.count) && text.allSatisfy(allowed.contains)
            && !text.hasPrefix(".") && !text.hasPrefix("-")
    }

    /// The kernel's rule for interface names (`dev_valid_name`): 1–15 bytes, not `.` or `..`,
    /// no `/`, `:` or white space.
    static func isInterfaceName(_ text: String) -> Bool {
        (1...15).contains(text.utf8.count) && text != "." && text != ".."
            && !text.contains { $0 == "/" || $0 == ":" || $0.isWhitespace }
    }
}
