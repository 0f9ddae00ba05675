import FloatIPCore

/// The core's `Instant`s on this process's monotonic clock (`ContinuousClock`), from one origin for
/// the whole process: an instant one part computes (an etcd lease's end, in the coordination
/// module) is the same moment to another (the local mover's address lifetimes), and to the agent's
/// `SystemClock`.
extension Instant {
    /// The origin: the first time anything in this process converted an instant.
    private static let processOrigin = ContinuousClock.now

    /// Now, on the process's timeline.
    public static var monotonicNow: Instant { Instant(ContinuousClock.now) }

    /// `instant` on the process's timeline.
    public init(_ instant: ContinuousClock.Instant) {
        self.init(nanoseconds: (instant - Self.processOrigin).nanoseconds)
    }

    /// The same moment as a `ContinuousClock` instant, for sleeping until it or comparing with the clock.
    public var continuous: ContinuousClock.Instant { Self.processOrigin + .nanoseconds(nanoseconds) }
}
