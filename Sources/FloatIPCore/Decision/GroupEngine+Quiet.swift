// Quiet standbys (docs/decision.md): when a standby may heartbeat every few intervals.
extension GroupEngine {
    /// Whether this node has nothing the holder needs to hear soon about the group: it does not
    /// hold or claim it, it is not starting, listening after a stall or fault, or taking part in a
    /// move, and exactly one peer holds the group actively, speaking every interval, without
    /// handing it over, and ranking above this node or unable to be preempted by it. Anything
    /// else (a failback pending, a handover, two claimants, a silent holder) wants full rate.
    public func mayBeQuiet(local: LocalCondition, peers: [PeerView], now: Instant) -> Bool {
        guard role == .standby || role == .fault || role == .maintenance else { return false }
        if let staleUntil, now < staleUntil { return false }
        if let relistenUntil, now < relistenUntil { return false }
        let holders = peers.filter { $0.name != node && $0.holds && isAlive($0, now: now) }
        guard holders.count == 1, let holder = holders.first, holder.holdsActively, !holder.isLeaving,
            holder.quietPeriod == nil
        else { return false }
        // A node that would fail back (or that the holder hands back to, in exclusive mode) speaks
        // at full rate while it waits: both sides of a failback go back to full rate.
        let eligible = local.healthy && !local.maintenance && role == .standby
        if eligible, preempt, !holder.advert.sticky, Rank(priority: local.priority, node: node) > holder.rank {
            return false
        }
        return true
    }
}
