/// Anti-replay state for one peer: its current boot id and a 64-entry sliding window of the sequence
/// numbers accepted from that boot (the IPsec scheme, RFC 4303 §3.4.3). Pure: time is an input.
///
/// Rules (docs/protocol.md, "Replay window"):
/// - The first datagram from a peer is accepted and starts its state, unless its boot id is below
///   `floor`, the highest boot id this node ever accepted from the peer (remembered across its own
///   restarts by the shell): then it is `.staleBoot`.
/// - A higher boot id replaces the state: the peer restarted (`.newBoot`).
/// - A lower boot id is always dropped (`.staleBoot`): boot ids only grow (`BootID.next`), so a
///   datagram of an earlier boot is a recording.
/// - Within a boot: a sequence above the highest seen is accepted and slides the window; one inside the
///   window is accepted once, then `.replayed`; one below the window is `.tooOld`. Sequence 0 is never
///   valid (sequences start at 1) and is `.tooOld`; the codec already rejects it.
///
/// Feed it only authenticated datagrams: an attacker who cannot sign cannot move the window.
public struct ReplayWindow: Sendable, Equatable {
    /// How many sequence numbers below the highest are still accepted if unseen.
    public static let size = 64

    /// The lowest boot id accepted as the first datagram (nil: any).
    public let floor: UInt64?
    /// The boot id of the peer's current run, or nil before the first accepted datagram.
    public private(set) var bootID: UInt64?
    /// The highest sequence number accepted from the current boot (0 before the first).
    public private(set) var highestSequence: UInt64 = 0
    /// Bit `i` is set when `highestSequence - i` has been accepted.
    private var seen: UInt64 = 0

    /// An empty window: the next datagram is accepted if its boot id is at least `floor`.
    public init(floor: UInt64? = nil) {
        self.floor = floor
    }

    /// Checks one authentic datagram and, if it is accepted, records it.
    /// - Parameters:
    ///   - bootID: the datagram's boot id.
    ///   - sequence: the datagram's sequence number (from 1).
    public mutating func accept(bootID: UInt64, sequence: UInt64) -> ReplayVerdict {
        guard sequence != 0 else { return .tooOld }
        guard let current = self.bootID else {
            if let floor, bootID < floor { return .staleBoot }
            start(bootID: bootID, sequence: sequence)
            return .accepted
        }
        if bootID > current {
            start(bootID: bootID, sequence: sequence)
            return .newBoot
        }
        if bootID < current { return .staleBoot }
        return acceptWithinBoot(sequence: sequence)
    }

    private mutating func start(bootID: UInt64, sequence: UInt64) {
        self.bootID = bootID
        highestSequence = sequence
        seen = 1
    }

    private mutating func acceptWithinBoot(sequence: UInt64) -> ReplayVerdict {
        if sequence > highestSequence {
            let shift = sequence - highestSequence
            seen = shift >= UInt64(Self.size) ? 1 : seen << shift | 1
            highestSequence = sequence
            return .accepted
        }
        let offset = highestSequence - sequence
        guard offset < UInt64(Self.size) else { return .tooOld }
        let bit: UInt64 = 1 << offset
        guard seen & bit == 0 else { return .replayed }
        seen |= bit
        return .accepted
    }
}
