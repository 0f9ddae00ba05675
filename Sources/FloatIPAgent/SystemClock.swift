import FloatIPCore
import FloatIPLinux
import Foundation

/// The agent's clock: monotonic time from `ContinuousClock` (for every timeout, on the process's
/// one timeline: `Instant.monotonicNow`), wall time only for boot ids and display.
public struct SystemClock: AgentClock {
    public init() {}

    public func now() -> Instant { .monotonicNow }

    public func wallMilliseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }
}
