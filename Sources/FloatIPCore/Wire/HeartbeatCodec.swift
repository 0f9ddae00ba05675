import Crypto

/// Encodes and decodes heartbeat datagrams: binary, versioned, authenticated with HMAC-SHA256.
///
/// The byte layout, key derivation and rejection rules are in docs/protocol.md. In short:
/// a 28-byte fixed header (magic "FP", version, kind, total length, reserved, boot id, sequence,
/// interval), the cluster and sender names, the groups, and an HMAC-SHA256 over all preceding bytes
/// under a key derived with HKDF-SHA256 from the shared secret (salt "floatip-v1", info = cluster name).
///
/// Decoding checks the size, magic, version and length, then verifies the MAC in constant time before
/// it parses a single byte of the body; every malformed input throws a typed `WireError`, none traps.
/// Replay protection is a separate, stateful step: feed `bootID` and `sequence` to a `ReplayWindow`.
///
/// Encoding throws rather than produce a datagram that a receiver would reject (oversize, invalid
/// names, sequence 0, duplicate groups, too many groups). Configuration validation keeps a running
/// agent clear of those errors; `encodedSize(_:)` tells how large a heartbeat would be.
public struct HeartbeatCodec: Sendable {
    /// The largest datagram sent or accepted: a 1400-byte UDP payload stays within one 1500-byte
    /// Ethernet frame with IPv6 (40) and UDP (8) headers and room for tunnel overhead, so no fragmentation.
    public static let maxDatagramSize = 1400
    /// The smallest possible datagram: the fixed header, one-byte cluster and sender names, no groups, the MAC.
    public static let minDatagramSize = fixedHeaderSize + 2 + 2 + 1 + macSize
    /// The protocol version this build speaks; changes with any change to the layout.
    public static let version: UInt8 = 1
    /// The most groups a datagram can list (the count is one byte); the size limit usually binds first.
    public static let maxGroups = Int(UInt8.max)

    static let magic: [UInt8] = [0x46, 0x50]  // "FP"
    /// A heartbeat of a sender that sends every interval; its reserved field is 0.
    static let heartbeatKind: UInt8 = 1
    /// A heartbeat that says its spacing (in the former reserved field): receivers of an earlier
    /// release drop it as `unknown_kind`, so a node sends it only while no peer speaks kind 1.
    static let spacedHeartbeatKind: UInt8 = 2
    /// The widest spacing a datagram can say.
    public static let maxSpacing = Int(UInt16.max)
    /// Magic (2), version (1), kind (1), length (2), reserved (2), boot id (8), sequence (8), interval (4).
    static let fixedHeaderSize = 28
    static let lengthOffset = 4
    static let macSize = 32
    /// Name length (1, without the name), role (1), flags (1), priority (1), term (8).
    static let groupFixedSize = 12
    static let keySalt = Array("floatip-v1".utf8)

    /// The cluster this codec speaks for; datagrams naming another cluster are rejected.
    public let cluster: String
    let datagramKey: DatagramKey

    /// A codec for `cluster` with the cluster's shared `secret`. The HMAC key is derived once, here:
    /// HKDF-SHA256(secret, salt: "floatip-v1", info: cluster name) → 32 bytes. Binding the cluster
    /// name into the key means two clusters that share a secret still cannot accept each other's datagrams.
    public init(secret: [UInt8], cluster: String) {
        self.cluster = cluster
        self.datagramKey = DatagramKey(secret: secret, salt: Self.keySalt, cluster: cluster)
    }

    /// HMAC-SHA256 of `body` under this codec's key.
    func mac(of body: ArraySlice<UInt8>) -> [UInt8] { datagramKey.mac(of: body) }

    /// The size in bytes of `heartbeat`'s datagram, MAC included, whether or not it is encodable.
    public func encodedSize(_ heartbeat: Heartbeat) -> Int {
        var size = Self.fixedHeaderSize + Self.nameSize(heartbeat.cluster) + Self.nameSize(heartbeat.sender) + 1
        for advert in heartbeat.groups {
            size += Self.groupFixedSize + advert.group.utf8.count
            if let handover = advert.handover { size += Self.nameSize(handover.target) }
        }
        return size + Self.macSize
    }

    /// The largest datagram a node can send for these names: every group in handover to a target of
    /// `longestNodeName` bytes. Configuration validation compares it with `maxDatagramSize`.
    public static func worstCaseSize(cluster: String, sender: String, groups: [String], longestNodeName: Int) -> Int {
        var size = fixedHeaderSize + nameSize(cluster) + nameSize(sender) + 1 + macSize
        for group in groups { size += groupFixedSize + group.utf8.count + 1 + longestNodeName }
        return size
    }

    /// The datagram for `heartbeat`, signed.
    ///
    /// Lossy only where documented: the interval is sent in whole microseconds, clamped to 0…UInt32.max µs
    /// (about 71 minutes), and the priority is clamped to 0–255.
    /// - Throws: `WireError.invalidName` for a name outside `WireName`, `.wrongCluster` if the heartbeat
    ///   names another cluster than this codec, `.invalidSequence` for sequence 0, `.tooManyGroups`,
    ///   `.duplicateGroup`, or `.tooLarge` when the datagram would exceed `maxDatagramSize`.
    public func encode(_ heartbeat: Heartbeat) throws(WireError) -> [UInt8] {
        try validate(heartbeat)
        let size = encodedSize(heartbeat)
        guard size <= Self.maxDatagramSize else { throw .tooLarge(size) }

        var writer = WireWriter(capacity: size)
        writer.append(contentsOf: Self.magic)
        writer.write(Self.version)
        writer.write(heartbeat.spacing == nil ? Self.heartbeatKind : Self.spacedHeartbeatKind)
        writer.write(UInt16(size))
        writer.write(UInt16(heartbeat.spacing ?? 0))  // reserved in kind 1
        writer.write(heartbeat.bootID)
        writer.write(heartbeat.sequence)
        writer.write(Self.microseconds(heartbeat.interval))
        writer.writeName(heartbeat.cluster)
        writer.writeName(heartbeat.sender)
        writer.write(UInt8(heartbeat.groups.count))
        for advert in heartbeat.groups {
            writer.writeName(advert.group)
            writer.write(advert.role.rawValue)
            writer.write(GroupFlags(advert).rawValue)
            writer.write(UInt8(clamping: advert.priority))
            writer.write(advert.term)
            if let handover = advert.handover { writer.writeName(handover.target) }
        }
        return sign(writer.bytes)
    }

    /// `body` followed by its HMAC-SHA256 under this codec's key.
    func sign(_ body: [UInt8]) -> [UInt8] {
        body + mac(of: body[...])
    }

    private func validate(_ heartbeat: Heartbeat) throws(WireError) {
        guard WireName.isValid(heartbeat.cluster) else { throw .invalidName(field: "cluster") }
        guard heartbeat.cluster == cluster else { throw .wrongCluster(heartbeat.cluster) }
        guard WireName.isValid(heartbeat.sender) else { throw .invalidName(field: "sender") }
        guard heartbeat.sequence != 0 else { throw .invalidSequence }
        if let spacing = heartbeat.spacing, !(1...Self.maxSpacing).contains(spacing) { throw .invalidSpacing }
        guard heartbeat.groups.count <= Self.maxGroups else { throw .tooManyGroups(heartbeat.groups.count) }
        var seen = Set<String>()
        for (index, advert) in heartbeat.groups.enumerated() {
            guard WireName.isValid(advert.group) else { throw .invalidName(field: "group[\(index)]") }
            guard seen.insert(advert.group).inserted else { throw .duplicateGroup(advert.group) }
            if let handover = advert.handover, !WireName.isValid(handover.target) {
                throw .invalidName(field: "group[\(index)].handover")
            }
        }
    }

    private static func nameSize(_ name: String) -> Int { 1 + name.utf8.count }

    /// `interval` in whole microseconds, clamped to what a UInt32 holds.
    static func microseconds(_ interval: Duration) -> UInt32 {
        let (seconds, attoseconds) = interval.components
        let clampedSeconds = min(max(seconds, -1), Int64(UInt32.max / 1_000_000) + 1)
        let micros = clampedSeconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return UInt32(clamping: micros)
    }
}
