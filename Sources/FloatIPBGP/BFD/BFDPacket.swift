/// A BFD control packet (RFC 5880 §4.1), without authentication.
public struct BFDPacket: Sendable, Equatable {
    public enum State: UInt8, Sendable, CustomStringConvertible {
        case adminDown = 0, down = 1, initializing = 2, up = 3
        public var description: String { ["AdminDown", "Down", "Init", "Up"][Int(rawValue)] }
    }

    /// Why the last session went down (RFC 5880 §4.1).
    public enum Diagnostic: UInt8, Sendable {
        case none = 0, detectionTimeExpired = 1, echoFailed = 2, neighborDown = 3, forwardingReset = 4,
             pathDown = 5, concatenatedPathDown = 6, administrativelyDown = 7, reverseConcatenatedPathDown = 8
    }

    public var diagnostic: Diagnostic
    public var state: State
    public var poll: Bool
    public var final: Bool
    public var detectMultiplier: UInt8
    public var myDiscriminator: UInt32
    public var yourDiscriminator: UInt32
    /// Microseconds.
    public var desiredMinTx: UInt32
    public var requiredMinRx: UInt32
    public var requiredMinEchoRx: UInt32

    public init(
        diagnostic: Diagnostic = .none, state: State, poll: Bool = false, final: Bool = false, detectMultiplier: UInt8,
        myDiscriminator: UInt32, yourDiscriminator: UInt32, desiredMinTx: UInt32, requiredMinRx: UInt32, requiredMinEchoRx: UInt32 = 0
    ) {
        self.diagnostic = diagnostic
        self.state = state
        self.poll = poll
        self.final = final
        self.detectMultiplier = detectMultiplier
        self.myDiscriminator = myDiscriminator
        self.yourDiscriminator = yourDiscriminator
        self.desiredMinTx = desiredMinTx
        self.requiredMinRx = requiredMinRx
        self.requiredMinEchoRx = requiredMinEchoRx
    }

    public static let length = 24

    public func encode() -> [UInt8] {
        var bytes: [UInt8] = [1 << 5 | diagnostic.rawValue, state.rawValue << 6 | (poll ? 0x20 : 0) | (final ? 0x10 : 0),
                              detectMultiplier, UInt8(Self.length)]
        for value in [myDiscriminator, yourDiscriminator, desiredMinTx, requiredMinRx, requiredMinEchoRx] { bytes.append32(value) }
        return bytes
    }

    /// A packet as RFC 5880 §6.8.6 accepts it (the checks that need no session); throws why not.
    public static func decode(_ bytes: [UInt8]) throws(BFDError) -> BFDPacket {
        guard bytes.count >= length else { throw .truncated(bytes.count) }
        let version = bytes[0] >> 5
        guard version == 1 else { throw .version(version) }
        let declared = Int(bytes[3])
        guard declared >= length, declared <= bytes.count else { throw .length(declared) }
        let flags = bytes[1]
        guard flags & 0x04 == 0 else { throw .authentication }
        guard flags & 0x01 == 0 else { throw .multipoint }
        guard bytes[2] != 0 else { throw .zeroMultiplier }
        // Five 32-bit fields from byte 4; the length was checked above.
        func field(_ index: Int) -> UInt32 { bytes[4 + 4 * index..<8 + 4 * index].reduce(0) { $0 << 8 | UInt32($1) } }
        let my = field(0), your = field(1), tx = field(2), rx = field(3), echo = field(4)
        guard my != 0 else { throw .zeroDiscriminator }
        let state = State(rawValue: flags >> 6) ?? .down
        guard your != 0 || state == .down || state == .adminDown else { throw .noYourDiscriminator(state) }
        return BFDPacket(
            diagnostic: Diagnostic(rawValue: bytes[0] & 0x1F) ?? .none, state: state, poll: flags & 0x20 != 0,
            final: flags & 0x10 != 0, detectMultiplier: bytes[2], myDiscriminator: my, yourDiscriminator: your,
            desiredMinTx: tx, requiredMinRx: rx, requiredMinEchoRx: echo)
    }
}

/// Why a BFD packet is discarded (RFC 5880 §6.8.6); counted, never fatal.
public enum BFDError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(Int)
    case version(UInt8)
    case length(Int)
    case authentication
    case multipoint
    case zeroMultiplier
    case zeroDiscriminator
    case noYourDiscriminator(BFDPacket.State)
    case otherSession(UInt32)
    case hopLimit(Int)

    public var description: String {
        switch self {
        case .truncated(let count): "\(count) bytes, shorter than a control packet (24)"
        case .version(let version): "version \(version) (only 1)"
        case .length(let length): "length field \(length) outside the packet"
        case .authentication: "authentication present (not configured)"
        case .multipoint: "the multipoint bit is set"
        case .zeroMultiplier: "detect multiplier 0"
        case .zeroDiscriminator: "my discriminator 0"
        case .noYourDiscriminator(let state): "your discriminator 0 in state \(state)"
        case .otherSession(let your): "your discriminator \(your) is not this session's"
        case .hopLimit(let ttl): "TTL \(ttl), not 255 (RFC 5881: single hop)"
        }
    }
}
