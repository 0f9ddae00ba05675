import Crypto

/// One witness datagram: a node's probe, or the witness's answer to it (docs/protocol.md, "Witness").
public struct WitnessMessage: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, Equatable {
        case probe = 1
        case answer = 2
    }

    public var kind: Kind
    /// 16 random bytes the prober chose for this probe; the answer carries them back.
    public var nonce: [UInt8]
    public var cluster: String
    /// The node that sent the probe (in an answer: the node it answers).
    public var node: String

    public init(kind: Kind, nonce: [UInt8], cluster: String, node: String) {
        self.kind = kind
        self.nonce = nonce
        self.cluster = cluster
        self.node = node
    }

    /// The witness's answer to this probe: the same nonce, cluster and node.
    public var answer: WitnessMessage { WitnessMessage(kind: .answer, nonce: nonce, cluster: cluster, node: node) }
}

/// Why a datagram is not the answer to a given probe.
public enum WitnessAnswerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// It does not decode (forged, truncated, another cluster's key …).
    case malformed(WireError)
    /// Authentic, but a probe: a reflection of the node's own datagram, not the witness's answer.
    case notAnAnswer
    /// Authentic, but for another probe (an old answer replayed, or a late one).
    case otherNonce
    /// Authentic, but for another node of the cluster.
    case otherNode(String)

    public var description: String {
        switch self {
        case .malformed(let error): "malformed: \(error)"
        case .notAnAnswer: "a probe, not an answer"
        case .otherNonce: "answers another probe (old or replayed)"
        case .otherNode(let node): "answers node \(node)"
        }
    }
}

/// Encodes and decodes the witness datagrams: tiny, authenticated with HMAC-SHA256 under a key derived from
/// the cluster's secret, and fresh through the prober's nonce (docs/protocol.md, "Witness").
///
/// Pure: the caller supplies the nonce (random bytes) and does the I/O. Layout: magic "FW", version,
/// kind, 16-byte nonce, cluster name, node name (length-prefixed), HMAC-SHA256 of all preceding bytes.
public struct WitnessCodec: Sendable {
    public static let version: UInt8 = 1
    public static let nonceSize = 16
    static let magic: [UInt8] = [0x46, 0x57]  // "FW"
    static let macSize = 32
    /// Magic (2), version (1), kind (1), nonce (16).
    static let fixedHeaderSize = 4 + nonceSize
    /// The smallest datagram: one-byte names.
    public static let minDatagramSize = fixedHeaderSize + 2 + 2 + macSize
    /// The largest: 63-byte names.
    public static let maxDatagramSize = fixedHeaderSize + 64 + 64 + macSize
    static let keySalt = Array("floatip-witness-v1".utf8)

    public let cluster: String
    let datagramKey: DatagramKey

    /// A codec for `cluster`'s witness traffic. Key: HKDF-SHA256(secret, salt "floatip-witness-v1",
    /// info = cluster name): the salt keeps it apart from the heartbeat key derived from the same secret.
    public init(secret: [UInt8], cluster: String) {
        self.cluster = cluster
        datagramKey = DatagramKey(secret: secret, salt: Self.keySalt, cluster: cluster)
    }

    func mac(of body: ArraySlice<UInt8>) -> [UInt8] { datagramKey.mac(of: body) }

    /// The datagram for `message`. Throws for a nonce that is not 16 bytes, an invalid name or another cluster.
    public func encode(_ message: WitnessMessage) throws(WireError) -> [UInt8] {
        guard message.nonce.count == Self.nonceSize else { throw .truncated(field: "nonce") }
        guard message.cluster == cluster else { throw .wrongCluster(message.cluster) }
        guard WireName.isValid(message.cluster) else { throw .invalidName(field: "cluster") }
        guard WireName.isValid(message.node) else { throw .invalidName(field: "node") }
        var writer = WireWriter(capacity: Self.maxDatagramSize)
        writer.append(contentsOf: Self.magic)
        writer.write(Self.version)
        writer.write(message.kind.rawValue)
        writer.append(contentsOf: message.nonce)
        writer.writeName(message.cluster)
        writer.writeName(message.node)
        let body = writer.bytes
        return body + mac(of: body[...])
    }

    /// The message in `bytes`: size, magic and version first, then the MAC (in constant time) before any byte
    /// of the body is read, then the body with bounds checks. Every problem is a typed `WireError`.
    public func decode(_ bytes: [UInt8]) throws(WireError) -> WitnessMessage {
        guard bytes.count <= Self.maxDatagramSize else { throw .tooLarge(bytes.count) }
        guard bytes.count >= Self.minDatagramSize else { throw .tooShort(bytes.count) }
        guard bytes[0] == Self.magic[0], bytes[1] == Self.magic[1] else { throw .badMagic }
        guard bytes[2] == Self.version else { throw .unsupportedVersion(bytes[2]) }
        let bodyEnd = bytes.count - Self.macSize
        let mac = bytes[bodyEnd...]
        guard constantTimeEqual(self.mac(of: bytes[..<bodyEnd]), mac) else { throw .badAuthentication }
        guard let kind = WitnessMessage.Kind(rawValue: bytes[3]) else { throw .unknownKind(bytes[3]) }
        let nonce = Array(bytes[4..<Self.fixedHeaderSize])
        var reader = WireReader(bytes, from: Self.fixedHeaderSize, to: bodyEnd)
        let clusterName = try reader.readName("cluster")
        let node = try reader.readName("node")
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
        guard clusterName == cluster else { throw .wrongCluster(clusterName) }
        return WitnessMessage(kind: kind, nonce: nonce, cluster: clusterName, node: node)
    }

    /// Checks that `bytes` is the witness's answer to `probe`: authentic, an answer, same nonce and node.
    public func acceptAnswer(_ bytes: [UInt8], to probe: WitnessMessage) throws(WitnessAnswerError) {
        let message: WitnessMessage
        do {
            message = try decode(bytes)
        } catch {
            throw .malformed(error)
        }
        guard message.kind == .answer else { throw .notAnAnswer }
        guard message.nonce == probe.nonce else { throw .otherNonce }
        guard message.node == probe.node else { throw .otherNode(message.node) }
    }
}
