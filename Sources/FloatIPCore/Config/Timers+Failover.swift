extension Timers {
    /// Time a node allows itself to claim an address once it has decided to (configure it and
    /// send the first gratuitous ARP / unsolicited NA on a LAN). An estimate for summaries, not a timeout.
    public static let claimAllowance: Duration = .milliseconds(10)

    /// The expected worst case of an unplanned failover: a holder silent for the dead interval
    /// (`interval × dead_after`), up to one more interval until the next evaluation tick, and the
    /// claim itself. 300 ms + 20 ms + 10 ms = 330 ms with the defaults. See docs/config.md.
    public var failoverBound: Duration { deadInterval + interval + Timers.claimAllowance }
}
