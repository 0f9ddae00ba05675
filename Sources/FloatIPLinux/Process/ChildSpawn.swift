import CFloatIPLinux
import Glibc

/// How floatip starts every child process (a check's command, a hook, systemctl, the lab's `ip` and
/// agents): posix_spawn with standard input from /dev/null, standard output and error to the given
/// descriptors, no other descriptor of ours, a process group of its own, and every signal at its
/// default and unblocked (the agent ignores SIGPIPE and blocks others; its children must not).
///
/// Nothing else open here may reach the child: a child holding the write end of another child's
/// pipe would keep that pipe from ever ending. The descriptors are closed in the child as it starts
/// (`posix_spawn_file_actions_addclosefrom_np`), so one another thread opens between here and the
/// spawn is closed too; a list taken beforehand misses those (the lab hung on an `ip` whose output
/// never ended that way).
public enum ChildSpawn {
    /// Spawns `path` (absolute, or a name looked up in PATH) with `argv` (its name first) and
    /// `environment` (`NAME=value` entries; nil: this process's own), output to `output` and errors
    /// to `errors` (nil: to `output` as well). The child's PID, which is also its process group.
    public static func start(
        path: String, argv: [String], environment: [String]?, output: Int32, errors: Int32? = nil
    ) -> Result<pid_t, SystemError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, errors ?? output, 2)
        let closing = cfloatip_spawn_close_from(&actions, 3)
        guard closing == 0 else { return .failure(SystemError(call: "posix_spawn_file_actions_addclosefrom_np", errno: closing)) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { cArguments.forEach { free($0) } }
        var cEnvironment: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { cEnvironment?.forEach { free($0) } }
        var pid: pid_t = 0
        let result = withEnvironment(&cEnvironment) { environment in
            path.contains("/")
                ? posix_spawn(&pid, path, &actions, &attributes, cArguments, environment)
                : posix_spawnp(&pid, path, &actions, &attributes, cArguments, environment)
        }
        if result != 0 { return .failure(SystemError(call: "posix_spawn \(path)", errno: result)) }
        return .success(pid)
    }

    private static func withEnvironment(
        _ entries: inout [UnsafeMutablePointer<CChar>?]?,
        _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Int32
    ) -> Int32 {
        guard entries != nil else { return body(environ) }
        return entries!.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
