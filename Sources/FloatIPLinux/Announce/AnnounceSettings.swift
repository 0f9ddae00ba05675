import FloatIPCore
/// How a floating address is announced after it moves here.
///
/// A *burst* is `count` rounds `spacing` apart; each round sends one gratuitous ARP (IPv4, in the
/// `arpForm`) or one unsolicited NA (IPv6) per address. The mover runs a burst on claim, another
/// `repeatAfter` later (for switches and neighbours that missed the first), and one every
/// `refreshEvery` while it holds the addresses, if set (`claimBurstOffsets`, `refreshEvery`).
public struct AnnounceSettings: Sendable, Equatable {
    /// Rounds per burst, 1…100.
    public var count: Int
    /// Time between the starts of two rounds, 0…10 s.
    public var spacing: Duration
    /// Which gratuitous ARP frames to send for IPv4 addresses.
    public var arpForm: ARPForm
    /// A second burst this long after the first, or nil for none.
    public var repeatAfter: Duration?
    /// A burst this often while the addresses are held, or nil for none.
    public var refreshEvery: Duration?

    /// The most rounds a burst may have.
    public static let maximumCount = 100
    /// The longest spacing between rounds.
    public static let maximumSpacing: Duration = .seconds(10)

    public init(
        count: Int = 3, spacing: Duration = .milliseconds(50), arpForm: ARPForm = .request,
        repeatAfter: Duration? = .seconds(2), refreshEvery: Duration? = nil
    ) {
        self.count = count
        self.spacing = spacing
        self.arpForm = arpForm
        self.repeatAfter = repeatAfter
        self.refreshEvery = refreshEvery
    }

    /// How long a burst takes from its first round to its last: `spacing × (count − 1)`.
    public var burstLength: Duration { spacing * max(count - 1, 0) }

    /// When the mover starts bursts after claiming, measured from the claim: zero, and `repeatAfter`.
    public var claimBurstOffsets: [Duration] {
        guard let repeatAfter else { return [.zero] }
        return [.zero, repeatAfter]
    }

    /// Throws `AnnounceError.invalidSettings` naming the first field out of range.
    public func validate() throws(AnnounceError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw .invalidSettings("count is \(count), must be 1 to \(Self.maximumCount)")
        }
        guard spacing >= .zero, spacing <= Self.maximumSpacing else {
            throw .invalidSettings(
                "spacing is \(spacing.shortDescription), must be 0 to \(Self.maximumSpacing.shortDescription)")
        }
        if let repeatAfter, repeatAfter <= burstLength {
            throw .invalidSettings(
                "repeatAfter (\(repeatAfter.shortDescription)) must be longer than a burst "
                    + "(\(burstLength.shortDescription))")
        }
        if let refreshEvery, refreshEvery <= burstLength {
            throw .invalidSettings(
                "refreshEvery (\(refreshEvery.shortDescription)) must be longer than a burst "
                    + "(\(burstLength.shortDescription))")
        }
    }
}
