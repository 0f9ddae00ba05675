import CFloatIPLinux
import Glibc

/// A pipe that wakes a thread sleeping in `poll` on `readEnd`: `signal()` makes it readable until
/// `drain()` (a thread that only ever needs "stop" need not drain). Both ends are non-blocking and
/// close-on-exec; the owner calls `close()` once, after the last `signal()`.
public struct WakePipe: Sendable {
    public let readEnd: Int32
    public let writeEnd: Int32

    public init() throws(SystemError) {
        var ends: [Int32] = [0, 0]
        try syscall("pipe") { pipe(&ends) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Makes `readEnd` readable (a full pipe is already readable, so a failed write is fine).
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Reads every wake-up signalled so far.
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }

    public func close() {
        _ = Glibc.close(readEnd)
        _ = Glibc.close(writeEnd)
    }
}
