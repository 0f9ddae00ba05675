/// One node's settings for one virtual router, as keepalived's `vrrp_instance` has them.
public struct VRRPRouterConfig: Sendable, Equatable {
    /// 2 or 3.
    public var version: UInt8
    public var vrid: UInt8
    /// 1–254, or 255 for the address owner (it becomes master at once and never waits).
    public var priority: UInt8
    /// How often the master advertises: whole seconds in version 2, centiseconds in version 3.
    public var advertInterval: Duration
    /// Whether a better backup takes over from a worse master (keepalived: not `nopreempt`).
    public var preempt: Bool
    /// keepalived's `preempt_delay`: after start, a better backup lets a worse master be for this long.
    public var preemptDelay: Duration
    /// This node's own address on the interface (the tie-break between equal priorities: the higher
    /// address wins) and the advertisements' source.
    public var ownAddress: IPAddress
    /// The virtual addresses.
    public var addresses: [IPAddress]
    public var authentication: VRRPAuthentication

    public init(
        version: UInt8, vrid: UInt8, priority: UInt8, advertInterval: Duration, preempt: Bool = true,
        preemptDelay: Duration = .zero, ownAddress: IPAddress, addresses: [IPAddress],
        authentication: VRRPAuthentication = .none
    ) {
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.advertInterval = advertInterval
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.ownAddress = ownAddress
        self.addresses = addresses
        self.authentication = authentication
    }

    /// The interval field of this router's advertisements: seconds (version 2) or centiseconds (version 3).
    var intervalField: UInt16 {
        let centiseconds = advertInterval.nanoseconds / 10_000_000
        return UInt16(clamping: version == 2 ? max(1, centiseconds / 100) : max(1, centiseconds))
    }
}

/// The VRRP timers, from a priority, the master's advertisement interval and the version.
public enum VRRPTimers {
    /// Version 3 (RFC 5798): Skew_Time = ((256 − priority) × Master_Adver_Interval) / 256.
    /// Version 2 (RFC 3768, and keepalived): (256 − priority) / 256 seconds, whatever the interval.
    public static func skew(priority: UInt8, interval: Duration, version: UInt8) -> Duration {
        .nanoseconds((version == 2 ? 1_000_000_000 : interval.nanoseconds) * Int64(256 - Int(priority)) / 256)
    }

    /// Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time: how long a backup waits, silent
    /// master, before it takes over.
    public static func masterDown(priority: UInt8, interval: Duration, version: UInt8) -> Duration {
        interval * 3 + skew(priority: priority, interval: interval, version: version)
    }
}
