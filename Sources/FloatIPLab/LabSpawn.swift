import FloatIPLinux
import Glibc

/// Starts the lab's long-running processes (agents, responders) detached from the caller: in a
/// process group of their own (a Ctrl-C in the terminal reaches `floatip lab`, which tears down,
/// not its children directly), default signal handling, output appended to a log file (`ChildSpawn`). They
/// outlive `floatip lab up`; `floatip lab down` ends them by PID.
enum LabSpawn {
    /// Spawns `program arguments…` with standard output and error appended to `log`; its PID.
    static func start(_ program: String, _ arguments: [String], log: String) throws(LabError) -> pid_t {
        let logFD = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logFD >= 0 else { throw .system("cannot open \(log): \(String(cString: strerror(errno)))") }
        defer { close(logFD) }
        // This process's whole environment: the agents of `floatip lab` run as the user started it.
        switch ChildSpawn.start(path: program, argv: [program] + arguments, environment: nil, output: logFD) {
        case .failure(let error):
            throw .system("cannot start \(program) \(arguments.joined(separator: " ")): \(String(cString: strerror(error.errno)))")
        case .success(let pid):
            LabProcesses.adopt(pid)
            return pid
        }
    }
}
