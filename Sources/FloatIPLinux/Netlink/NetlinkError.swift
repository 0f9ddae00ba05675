import CFloatIPLinux
import Glibc

/// A failed rtnetlink operation: what we tried, in words, the errno, and the kernel's own
/// explanation when it gave one (the extended ack, NLMSGERR_ATTR_MSG), verbatim.
///
/// `description` reads `add 198.18.0.10/32 on eth0 (index 3): File exists: ipv4: Address already assigned`.
public struct NetlinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation in words, e.g. `add 198.18.0.10/32 on eth0 (index 3)`.
    public var operation: String
    /// The errno the kernel (or a system call) returned; for requests refused before they were
    /// sent, the errno the kernel would have returned (ERANGE for a long label, EINVAL otherwise).
    public var errno: Int32
    /// The kernel's extended-ack text, verbatim, if it sent one.
    public var kernelMessage: String?
    /// Our own explanation, for errors found before or outside the kernel's answer.
    public var detail: String?

    public init(operation: String, errno: Int32, kernelMessage: String? = nil, detail: String? = nil) {
        self.operation = operation
        self.errno = errno
        self.kernelMessage = kernelMessage
        self.detail = detail
    }

    public var description: String {
        var text = "\(operation): \(String(cString: strerror(errno)))"
        if let kernelMessage, !kernelMessage.isEmpty { text += ": \(kernelMessage)" }
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        return text
    }
}

extension NetlinkError {
    init(operation: String, _ error: SystemError) {
        self.init(operation: operation, errno: error.errno, detail: error.call)
    }

    init(operation: String, _ error: NetlinkDecodeError) {
        self.init(operation: operation, errno: EPROTO, detail: error.description)
    }
}
