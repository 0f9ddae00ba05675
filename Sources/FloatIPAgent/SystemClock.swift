import FloatIPCore
import Foundation

/// The agent's clock: monotonic time from `ContinuousClock` (for every timeout), wall time only
/// for boot ids and display.
public struct SystemClock: AgentClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() -> Instant {
        Instant(nanoseconds: (ContinuousClock.now - origin).nanoseconds)
    }

    public func wallMilliseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    /// Sleeps until an absolute deadline, so a loop of sleeps does not drift.
    public func sleep(until deadline: Instant) async throws {
        try await ContinuousClock().sleep(until: origin + .nanoseconds(deadline.nanoseconds), tolerance: .zero)
    }
}
