import CFloatIPLinux
import Glibc

/// A failed system call: its name, errno, and the kernel's words for it.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }

    /// Whether the error means the caller lacks a capability (EPERM, EACCES).
    public var isPermission: Bool { errno == EPERM || errno == EACCES }
}

/// Runs a system call that returns -1 on failure, retrying on EINTR; throws `SystemError` otherwise.
/// Every syscall of the Linux layer goes through here, so each error names its call.
@discardableResult
func syscall<T: BinaryInteger>(_ name: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(call: name, errno: code)
    }
}
