import FloatIPCore

/// A `bgp` mover's BFD options: `bfd: true`, `bfd_interval` (the interval this end sends at and
/// wants to receive at; 10 ms to 10 s, default 100 ms) and `bfd_multiplier` (packets missed before
/// the session is down; 1–255, default 3). Pure.
public struct BFDSettings: Sendable, Equatable {
    public var interval: Duration
    public var multiplier: UInt8

    public init(interval: Duration = .milliseconds(100), multiplier: UInt8 = 3) {
        self.interval = interval
        self.multiplier = multiplier
    }

    /// The session's settings, with this end's `discriminator`.
    public func session(discriminator: UInt32) -> BFDSession.Config {
        let microseconds = UInt32(interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
        return BFDSession.Config(
            discriminator: discriminator, desiredMinTx: microseconds, requiredMinRx: microseconds, detectMultiplier: multiplier)
    }

    /// Reads `bfd`, `bfd_interval` and `bfd_multiplier`; nil without `bfd: true` (the other two then
    /// are an error: they would do nothing).
    static func read(_ check: inout OptionCheck, peers: [BGPPeerSettings]) -> BFDSettings? {
        let on = check.flag("bfd")
        let interval = check.duration("bfd_interval", default: .milliseconds(100), minimum: .milliseconds(10))
        var multiplier: UInt8 = 3
        if let text = check.optional("bfd_multiplier") {
            if let value = UInt8(text), value > 0 {
                multiplier = value
            } else {
                check.report("bfd_multiplier", "`\(text)` is not a BFD detect multiplier; write 1 to 255 (default 3)")
            }
        }
        if interval > .seconds(10) { check.report("bfd_interval", "at most 10s (BFD is for fast detection; default 100ms)") }
        guard on else {
            for key in ["bfd_interval", "bfd_multiplier"] where check.options[key] != nil {
                check.report(key, "has no effect without `bfd: true`")
            }
            return nil
        }
        // RFC 5881 single hop over IPv4 (the socket floatip has); an IPv6 router needs its own.
        for peer in peers where !peer.address.isIPv4 {
            check.report("bfd", "BFD runs with IPv4 peers only for now; \(peer.address) is IPv6")
        }
        return BFDSettings(interval: interval, multiplier: multiplier)
    }
}
