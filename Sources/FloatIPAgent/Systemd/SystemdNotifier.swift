import Foundation
import Glibc

/// The sd_notify protocol, spoken directly: newline-separated `KEY=VALUE` assignments in one
/// datagram to the AF_UNIX socket named by `$NOTIFY_SOCKET` (a path, or `@name` for the
/// abstract namespace). No libsystemd; without `$NOTIFY_SOCKET` there is no notifier at all.
///
/// `$WATCHDOG_USEC` (and `$WATCHDOG_PID`, when set, naming this process) gives the watchdog
/// period; the service must send `WATCHDOG=1` more often than that.
public final class SystemdNotifier: Sendable {
    /// `$NOTIFY_SOCKET` as given.
    public let socketName: String
    /// The watchdog period systemd expects pings within, or nil when the watchdog is off for this process.
    public let watchdogPeriod: Duration?
    private let descriptor: Int32
    private let address: [UInt8]

    /// The notifier for this process's environment, or nil when it has no `$NOTIFY_SOCKET`
    /// (not started by systemd with Type=notify): then the agent tells nobody anything.
    public convenience init?(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        guard let name = environment["NOTIFY_SOCKET"], !name.isEmpty else { return nil }
        self.init(socket: name, watchdog: Self.watchdogPeriod(environment, pid: pid))
    }

    /// A notifier sending to `socket` (`/run/systemd/notify` or `@abstract`), with `watchdog` as the period.
    public init(socket: String, watchdog: Duration?) {
        socketName = socket
        watchdogPeriod = watchdog
        address = Self.socketAddress(socket) ?? []
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        descriptor = address.isEmpty ? -1 : Glibc.socket(AF_UNIX, type, 0)
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Sends `assignments` (`READY=1\nSTATUS=…`) in one datagram, without blocking. Returns nil
    /// when it went out, else why not (for the agent's log; systemd being away is not fatal).
    @discardableResult
    public func send(_ assignments: String) -> String? {
        guard !address.isEmpty else {
            return "NOTIFY_SOCKET=\(socketName): not an AF_UNIX socket path (nor @abstract); systemd is not told"
        }
        guard descriptor >= 0 else { return "cannot create a socket for NOTIFY_SOCKET \(socketName)" }
        let bytes = Array(assignments.utf8)
        let sent = address.withUnsafeBytes { addressBytes in
            bytes.withUnsafeBytes { payload in
                sendto(
                    descriptor, payload.baseAddress, payload.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL),
                    addressBytes.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(addressBytes.count))
            }
        }
        guard sent < 0 else { return nil }
        return "cannot notify systemd at \(socketName): \(String(cString: strerror(errno)))"
    }

    /// The `sockaddr_un` bytes for a path or `@abstract` name (the `@` becomes a leading zero byte,
    /// and the length covers the name exactly, as systemd's abstract names have no terminator).
    static func socketAddress(_ name: String) -> [UInt8]? {
        let isAbstract = name.hasPrefix("@")
        guard isAbstract || name.hasPrefix("/") else { return nil }
        var path = Array(name.utf8)
        if isAbstract { path[0] = 0 } else { path.append(0) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let capacity = MemoryLayout<sockaddr_un>.size - pathOffset
        guard path.count <= capacity, path.count > 1 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        return Array(bytes.prefix(pathOffset + path.count))
    }

    /// `$WATCHDOG_USEC` as a period, when set, positive, and (if `$WATCHDOG_PID` is set) meant for `pid`.
    static func watchdogPeriod(_ environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, owner != String(pid) { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }
}
