/// Boot ids: each run of an agent gets one, carried in every datagram, and they only grow, so a
/// receiver can refuse every datagram of an earlier run (docs/protocol.md, "Replay window and boot ids").
public enum BootID {
    /// The boot id of a new run: the wall clock in milliseconds, but always above the last boot id
    /// this node used (`last`, kept in its state directory), so a clock stepped back cannot make a
    /// restarted node look older than it was. Without `last` (first start, or the state lost) the
    /// wall clock alone.
    public static func next(last: UInt64?, wallMilliseconds: UInt64) -> UInt64 {
        guard let last, last < UInt64.max else { return wallMilliseconds }
        return max(last + 1, wallMilliseconds)
    }
}
