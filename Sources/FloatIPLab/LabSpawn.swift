import CFloatIPLinux
import Foundation
import Glibc

/// Starts the lab's long-running processes (agents, responders) detached from the caller: in a
/// process group of their own (a Ctrl-C in the terminal reaches `floatip lab`, which tears down,
/// not its children directly), default signal handling, output appended to a log file. They
/// outlive `floatip lab up`; `floatip lab down` ends them by PID.
enum LabSpawn {
    /// Spawns `program arguments…` with standard output and error appended to `log`; its PID.
    static func start(_ program: String, _ arguments: [String], log: String) throws(LabError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else open here may reach the child: a long-lived agent holding the write end of
        // a caller's pipe (a test reading `floatip lab up`'s output, or an `ip` another thread
        // runs meanwhile) would keep it from ever ending. Closed in the child as it starts, so a
        // pipe another thread opens between here and the spawn is closed too (a list of the open
        // descriptors taken here missed those: a test hung on an `ip` whose output never ended).
        let closing = cfloatip_spawn_close_from(&actions, 3)
        guard closing == 0 else { throw .system("cannot prepare to start \(program): \(String(cString: strerror(closing)))") }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([program] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = (argv + [nil]).withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, program, &actions, &attributes, buffer.baseAddress!, environ)
        }
        guard status == 0 else {
            throw .system("cannot start \(program) \(arguments.joined(separator: " ")): \(String(cString: strerror(status)))")
        }
        LabProcesses.adopt(pid)
        return pid
    }
}
