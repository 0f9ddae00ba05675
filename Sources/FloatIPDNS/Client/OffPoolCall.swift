import Foundation

/// Runs a bounded blocking call (a socket exchange with its own deadline) on a thread of its own,
/// so it never holds a thread of Swift's concurrency pool.
enum OffPoolCall {
    static func run<Value: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(Failure) -> Value in try work() })
            }
            thread.name = "floatip-dns"
            thread.start()
        }
        return try result.get()
    }
}
