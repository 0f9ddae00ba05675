import FloatIPCore

/// One peering as the session machine needs it.
public struct BGPSessionConfig: Sendable, Equatable {
    public var localASN: UInt32
    public var peerASN: UInt32
    /// This speaker's BGP identifier (router ID), an IPv4 address as a number.
    public var routerID: UInt32
    /// The hold time offered, in seconds: 0 (none) or 3–65535; the session uses the smaller of
    /// both speakers' offers, and sends KEEPALIVE every third of it.
    public var holdTime: UInt16
    /// The first wait before connecting again after a session failed; doubled on each failure
    /// in a row up to `maximumRetry`, back to this once a session is established.
    public var firstRetry: Duration
    public var maximumRetry: Duration
    /// How long a connection attempt, and the wait for the peer's OPEN, may take.
    public var openTimeout: Duration

    public init(
        localASN: UInt32, peerASN: UInt32, routerID: UInt32, holdTime: UInt16 = 9,
        firstRetry: Duration = .seconds(1), maximumRetry: Duration = .seconds(30), openTimeout: Duration = .seconds(10)
    ) {
        self.localASN = localASN
        self.peerASN = peerASN
        self.routerID = routerID
        self.holdTime = holdTime
        self.firstRetry = firstRetry
        self.maximumRetry = maximumRetry
        self.openTimeout = openTimeout
    }

    /// iBGP when both speakers are in one AS.
    public var isInternal: Bool { localASN == peerASN }
}
