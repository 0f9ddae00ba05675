/// What a `ReplayWindow` says about one authentic datagram's boot id and sequence number.
public enum ReplayVerdict: Sendable, Equatable, CustomStringConvertible {
    /// New within the sender's current boot (or the first datagram from the sender): use it.
    case accepted
    /// From a new boot of the sender (it restarted): use it; the sender's earlier state is gone.
    case newBoot
    /// Already accepted once: drop it.
    case replayed
    /// Below the 64-entry window (or sequence 0): drop it.
    case tooOld
    /// From a boot older than the sender's current one, within the grace: drop it.
    case staleBoot

    /// Whether the datagram should be used.
    public var isAccepted: Bool {
        switch self {
        case .accepted, .newBoot: true
        case .replayed, .tooOld, .staleBoot: false
        }
    }

    /// The error to count a dropped datagram under (`WireError.reason`), or nil if it was accepted.
    public var rejection: WireError? {
        switch self {
        case .accepted, .newBoot: nil
        case .replayed: .replayed
        case .tooOld: .tooOld
        case .staleBoot: .staleBoot
        }
    }

    public var description: String {
        switch self {
        case .accepted: "accepted"
        case .newBoot: "new boot"
        case .replayed: "replayed"
        case .tooOld: "too old"
        case .staleBoot: "stale boot"
        }
    }
}
