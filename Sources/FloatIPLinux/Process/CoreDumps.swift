import CFloatIPLinux
import Glibc

/// Keeps this process's memory (the cluster secret, API token, cloud and etcd credentials) out of
/// core files: the systemd watchdog's SIGABRT, or any crash, would otherwise write them to disk.
public enum CoreDumps {
    /// Makes the process non-dumpable (`PR_SET_DUMPABLE` 0: no core file, not even through
    /// systemd-coredump, and no ptrace or /proc/PID/mem by other processes of the same user) and sets
    /// its core size limit to 0. A program it executes is dumpable again (execve resets the flag).
    public static func disable() throws(SystemError) {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        try syscall("setrlimit(RLIMIT_CORE)") { setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none) }
        try syscall("prctl(PR_SET_DUMPABLE)") { cfloatip_set_dumpable(0) }
    }

    /// Makes the process dumpable again (tests undo `disable()` with it).
    public static func makeDumpableForTests() { _ = cfloatip_set_dumpable(1) }

    /// Whether the process is dumpable now (`PR_GET_DUMPABLE`).
    public static var isDumpable: Bool { cfloatip_get_dumpable() != 0 }
}
