/// Every way a peer datagram can be rejected: by `HeartbeatCodec` (malformed, forged, foreign) or, after
/// decoding, by `ReplayWindow` (replayed, too old, from a stale boot; see `ReplayVerdict.rejection`).
///
/// Each case has a stable short `reason`, used as the label of the agent's rejected-datagram counter,
/// and a `description` that names the field at fault. docs/protocol.md lists them all.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the smallest possible datagram (`HeartbeatCodec.minDatagramSize`); the size in bytes.
    case tooShort(Int)
    /// Longer than `HeartbeatCodec.maxDatagramSize`; the size in bytes. Also thrown by `encode`.
    case tooLarge(Int)
    /// The first two bytes are not "FP": not a floatip datagram.
    case badMagic
    /// A version this build does not speak.
    case unsupportedVersion(UInt8)
    /// An authentic datagram of a kind this build does not know (a peer running newer software).
    case unknownKind(UInt8)
    /// The length field disagrees with the datagram's size (truncated or padded in transit).
    case lengthMismatch(declared: Int, actual: Int)
    /// The HMAC does not match: forged, corrupted, or signed with another secret or cluster name.
    case badAuthentication
    /// The body ends inside the named field.
    case truncated(field: String)
    /// The named field is not 1–63 bytes of `[A-Za-z0-9._-]`.
    case invalidName(field: String)
    /// A role byte outside `Role`'s raw values.
    case invalidRole(UInt8)
    /// A reserved field or flag bit is not zero.
    case reservedBitsSet
    /// Bytes left over after the last group; how many.
    case trailingBytes(Int)
    /// More groups than one datagram can carry (`HeartbeatCodec.maxGroups`); how many. Thrown by `encode`.
    case tooManyGroups(Int)
    /// The same group appears twice; its name.
    case duplicateGroup(String)
    /// An authentic datagram naming another cluster; that name.
    case wrongCluster(String)
    /// Sequence 0: sequences start at 1.
    case invalidSequence
    /// A spaced heartbeat (kind 2) with spacing 0, or one outside 1…`HeartbeatCodec.maxSpacing` to encode.
    case invalidSpacing
    /// A sequence number already accepted from the sender's current boot.
    case replayed
    /// A sequence number below the sender's replay window.
    case tooOld
    /// A boot id lower than the sender's current one, or than the highest ever accepted from it (a recording).
    case staleBoot

    /// A stable, short, snake_case label for metrics (`floatip_heartbeats_rejected_total{reason=...}`).
    /// Never changes meaning once released; new cases get new labels.
    public var reason: String {
        switch self {
        case .tooShort: "too_short"
        case .tooLarge: "too_large"
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "bad_version"
        case .unknownKind: "unknown_kind"
        case .lengthMismatch: "bad_length"
        case .badAuthentication: "bad_auth"
        case .truncated: "truncated"
        case .invalidName: "bad_name"
        case .invalidRole: "bad_role"
        case .reservedBitsSet: "reserved_bits"
        case .trailingBytes: "trailing_bytes"
        case .tooManyGroups: "too_many_groups"
        case .duplicateGroup: "duplicate_group"
        case .wrongCluster: "wrong_cluster"
        case .invalidSequence: "bad_sequence"
        case .invalidSpacing: "bad_spacing"
        case .replayed: "replay"
        case .tooOld: "too_old"
        case .staleBoot: "stale_boot"
        }
    }

    public var description: String {
        switch self {
        case .tooShort(let size):
            "datagram too short: \(size) bytes, at least \(HeartbeatCodec.minDatagramSize) expected"
        case .tooLarge(let size):
            "datagram too large: \(size) bytes, at most \(HeartbeatCodec.maxDatagramSize) allowed"
        case .badMagic: "not a floatip datagram (bad magic)"
        case .unsupportedVersion(let version):
            "unsupported protocol version \(version) (this build speaks \(HeartbeatCodec.version))"
        case .unknownKind(let kind): "unknown datagram kind \(kind)"
        case .lengthMismatch(let declared, let actual):
            "length field says \(declared) bytes, datagram has \(actual)"
        case .badAuthentication: "authentication failed (wrong secret or cluster name, or forged)"
        case .truncated(let field): "datagram ends inside field '\(field)'"
        case .invalidName(let field): "field '\(field)' is not a name of 1-63 characters [A-Za-z0-9._-]"
        case .invalidRole(let role): "invalid role \(role)"
        case .reservedBitsSet: "reserved bits set"
        case .trailingBytes(let count): "\(count) unexpected bytes after the last group"
        case .tooManyGroups(let count):
            "\(count) groups, at most \(HeartbeatCodec.maxGroups) fit in a datagram"
        case .duplicateGroup(let group): "group '\(group)' appears twice"
        case .wrongCluster(let cluster): "datagram for cluster '\(cluster)'"
        case .invalidSequence: "sequence number 0 (sequences start at 1)"
        case .invalidSpacing: "heartbeat spacing 0 (a spaced heartbeat says 1 or more intervals)"
        case .replayed: "sequence number already seen (replay)"
        case .tooOld: "sequence number below the replay window"
        case .staleBoot: "boot id older than the peer's current one"
        }
    }
}
