/// A small, fast, seeded generator (Steele, Lea and Flood's SplitMix64): the same seed gives the
/// same run on every machine, which is what lets a failing seed replay exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &self) < p }

    /// A duration uniformly between two bounds.
    public mutating func duration(_ low: Duration, _ high: Duration) -> Duration {
        .nanoseconds(Int64.random(in: low.nanoseconds...high.nanoseconds, using: &self))
    }

    /// `count` random bytes, drawn eight at a time (for fuzz-style tests).
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        for index in words.indices { words[index] = next() }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }
}
