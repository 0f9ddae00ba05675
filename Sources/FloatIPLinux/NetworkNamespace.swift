import CFloatIPLinux
import Foundation
import Glibc

/// Opens sockets inside a named network namespace (`/run/netns/NAME`, as `ip netns add` makes).
///
/// setns(2) changes the namespace of the calling *thread*, and Swift's concurrency pool would then
/// run unrelated tasks in the foreign namespace. So a dedicated thread enters the namespace, makes
/// the socket and exits; the socket stays bound to the namespace it was made in.
public enum NetworkNamespace {
    /// A new socket (`socket(2)` arguments) in the namespace `name`, or in the current one if nil.
    public static func socket(in name: String?, domain: Int32, type: Int32, protocol: Int32) throws -> Int32 {
        guard let name else {
            return try syscall("socket") { Glibc.socket(domain, type, `protocol`) }
        }
        let result = ThreadResult()
        let thread = Thread {
            result.value = Result { () throws(SystemError) -> Int32 in
                let nsFD = try syscall("open /run/netns/\(name)") { open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC) }
                defer { close(nsFD) }
                try syscall("setns \(name)") { cfloatip_setns(nsFD, cfloatip_CLONE_NEWNET) }
                return try syscall("socket") { Glibc.socket(domain, type, `protocol`) }
            }
            result.done.signal()
        }
        thread.start()
        result.done.wait()
        return try result.value!.get()
    }
}

private final class ThreadResult: @unchecked Sendable {
    var value: Result<Int32, SystemError>?
    let done = DispatchSemaphore(value: 0)
}
