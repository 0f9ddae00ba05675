import Foundation
import Glibc
import Logging

/// systemd connects a service's standard error to the journal and says so in `$JOURNAL_STREAM`
/// (`DEVICE:INODE` of that stream). A line written there may then begin with a syslog priority,
/// `<3>` for an error (sd-daemon(3)): the journal files the line at that priority, so
/// `journalctl -p warning` shows only what matters. The journal stamps each line itself.
public enum JournalStream {
    /// Whether standard error is the stream `$JOURNAL_STREAM` names (a child whose stderr was
    /// redirected elsewhere inherits the variable, so the device and inode must match).
    public static func isStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// The syslog priority of a swift-log level (sd-daemon(3): 2 critical … 7 debug).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }
}
