extension Timers {
    /// How many intervals apart a quiet standby sends its heartbeats: so that what the holder
    /// knows of it is at most `max(1 s, dead interval)` old (docs/decision.md, quiet standbys).
    /// 10 at 100 ms × 3, 50 at the default 20 ms × 15, 3 at 1 s × 3; 1 (never quiet) when
    /// `quiet_standby` is off or the interval is that long already.
    public var quietSpacing: Int {
        guard quietStandby, interval > .zero else { return 1 }
        let period = max(Duration.seconds(1), deadInterval)
        let spacing = Int((period / interval).rounded(.down))
        return min(max(spacing, 1), HeartbeatCodec.maxSpacing)
    }

    /// A quiet standby's period: its next heartbeat is due within this.
    public var quietPeriod: Duration { interval * quietSpacing }

    /// How long a peer counts as alive after it was heard: a dead interval, and for a quiet standby
    /// (`quietPeriod` is the period its heartbeat said) two of its periods more, so that one lost
    /// quiet heartbeat does not make it look gone (docs/decision.md, quiet standbys).
    public func deadBound(quietPeriod: Duration?) -> Duration {
        deadInterval + (quietPeriod.map { $0 * 2 } ?? .zero)
    }
}
