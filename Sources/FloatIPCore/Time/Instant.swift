/// A point on the monotonic timeline, in nanoseconds since an arbitrary origin.
///
/// The core never reads a clock: every function that depends on time takes an `Instant`
/// as input. The agent maps `ContinuousClock` onto it; the simulator advances it by hand.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The origin of the timeline.
    public static let zero = Instant(nanoseconds: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds &+ rhs.nanoseconds)
    }

    public static func - (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanoseconds: lhs.nanoseconds &- rhs.nanoseconds)
    }

    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    public var description: String { Duration.nanoseconds(nanoseconds).shortDescription }
}

extension Duration {
    /// The duration as whole nanoseconds (saturating; durations in floatip are far below the limit).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000_000 &+ attoseconds / 1_000_000_000
    }

    /// Milliseconds as a floating-point number, for display and arithmetic in reasons.
    public var milliseconds: Double { Double(nanoseconds) / 1_000_000 }

    /// A compact human form: `312 ms`, `1.5 s`, `40 µs`.
    public var shortDescription: String {
        let ns = nanoseconds
        let magnitude = ns.magnitude
        if magnitude >= 10_000_000_000 { return "\(oneDecimal(Double(ns) / 1e9)) s" }
        if magnitude >= 1_000_000_000 { return "\(oneDecimal(Double(ns) / 1e9)) s" }
        if magnitude >= 1_000_000 { return "\(oneDecimal(Double(ns) / 1e6)) ms" }
        if magnitude >= 1_000 { return "\(oneDecimal(Double(ns) / 1e3)) µs" }
        return "\(ns) ns"
    }
}

/// Up to one decimal, without a trailing `.0`.
private func oneDecimal(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    if rounded == rounded.rounded() { return String(Int64(rounded)) }
    return String(rounded)
}
