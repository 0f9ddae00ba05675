import FloatIPCore

/// One BFD session in asynchronous mode (RFC 5880 §6.8), single hop (RFC 5881), as a pure machine:
/// packets and time in, packets to send and state changes out. Until the session is up it sends
/// once a second (§6.8.3); once up, at the agreed interval, switching with a poll sequence.
public struct BFDSession: Sendable {
    public struct Config: Sendable, Equatable {
        /// This end's discriminator: unique per session on the node, not 0.
        public var discriminator: UInt32
        /// Microseconds.
        public var desiredMinTx: UInt32
        public var requiredMinRx: UInt32
        public var detectMultiplier: UInt8

        public init(discriminator: UInt32, desiredMinTx: UInt32 = 100_000, requiredMinRx: UInt32 = 100_000, detectMultiplier: UInt8 = 3) {
            self.discriminator = discriminator
            self.desiredMinTx = desiredMinTx
            self.requiredMinRx = requiredMinRx
            self.detectMultiplier = detectMultiplier
        }
    }

    public enum Change: Sendable, Equatable {
        case up
        case down(BFDPacket.Diagnostic)
    }

    public let config: Config
    public private(set) var state: BFDPacket.State = .down
    public private(set) var remoteDiscriminator: UInt32 = 0
    private var diagnostic: BFDPacket.Diagnostic = .none
    private var remoteDesiredMinTx: UInt32 = 1
    private var remoteRequiredMinRx: UInt32 = 1
    private var remoteMultiplier: UInt8 = 0
    private var nextSend: Instant?
    private var detectionDeadline: Instant?
    /// A poll sequence in progress (our timers changed): P set until the peer answers with F. A
    /// shorter interval may apply at once (RFC 5880 §6.8.3: only a longer one waits for the F).
    private var polling = false
    /// Packets discarded, by reason.
    public private(set) var discarded: [String: Int] = [:]

    public init(config: Config) {
        self.config = config
    }

    /// One second until up (RFC 5880 §6.8.3), the configured interval afterwards.
    private var desiredMinTx: UInt32 { state == .up ? config.desiredMinTx : max(config.desiredMinTx, 1_000_000) }

    /// The packet this end sends now.
    public func packet(poll: Bool = false, final: Bool = false) -> BFDPacket {
        BFDPacket(
            diagnostic: diagnostic, state: state, poll: poll, final: final, detectMultiplier: config.detectMultiplier,
            myDiscriminator: config.discriminator, yourDiscriminator: remoteDiscriminator,
            desiredMinTx: desiredMinTx, requiredMinRx: config.requiredMinRx)
    }

    /// How long without a packet before the session is down: the remote multiplier × the agreed receive interval.
    public var detectionTime: Duration {
        .microseconds(Int(remoteMultiplier) * Int(max(config.requiredMinRx, remoteDesiredMinTx)))
    }

    public var nextDeadline: Instant? { [nextSend, detectionDeadline].compactMap { $0 }.min() }

    /// Starts sending (state Down).
    public mutating func start(now: Instant) -> [BFDPacket] {
        nextSend = now
        return tick(now: now, jitter: 1).packets
    }

    /// A received packet with its TTL (`hopLimit`; RFC 5881: anything but 255 is dropped and counted). Returns what to send at once
    /// (an answer to a poll) and the state change, if any.
    public mutating func received(_ bytes: [UInt8], hopLimit: Int, now: Instant) -> (packets: [BFDPacket], change: Change?) {
        let packet: BFDPacket
        do {
            guard hopLimit == 255 else { throw BFDError.hopLimit(hopLimit) }
            packet = try BFDPacket.decode(bytes)
            if packet.yourDiscriminator != 0, packet.yourDiscriminator != config.discriminator {
                throw BFDError.otherSession(packet.yourDiscriminator)
            }
        } catch {
            discarded["\(error)", default: 0] += 1
            return ([], nil)
        }
        remoteDiscriminator = packet.myDiscriminator
        remoteDesiredMinTx = packet.desiredMinTx
        remoteRequiredMinRx = packet.requiredMinRx
        remoteMultiplier = packet.detectMultiplier
        if packet.final { polling = false }
        var change: Change?
        switch (state, packet.state) {
        case (_, .adminDown) where state != .down:
            change = goDown(.neighborDown)
        case (.down, .down):
            state = .initializing
        case (.down, .initializing), (.initializing, .initializing), (.initializing, .up):
            state = .up
            diagnostic = .none
            change = .up
            // Faster timers now: a poll sequence announces them (§6.8.3), and they apply at once.
            polling = config.desiredMinTx < 1_000_000
            nextSend = min(nextSend ?? now, now + .microseconds(Int(max(config.desiredMinTx, remoteRequiredMinRx))))
        case (.up, .down):
            change = goDown(.neighborDown)
        default: break
        }
        detectionDeadline = state == .down ? nil : now + detectionTime
        var answers: [BFDPacket] = []
        if packet.poll { answers.append(self.packet(final: true)) }
        if change != nil { answers.append(self.packet(poll: polling)) }
        return (answers, change)
    }

    /// Time passed: a packet due, or the detection time expired. `jitter` (0.75–1, RFC 5880 §6.8.7)
    /// shortens the next interval.
    public mutating func tick(now: Instant, jitter: Double) -> (packets: [BFDPacket], change: Change?) {
        var change: Change?
        if let detectionDeadline, now >= detectionDeadline, state == .up || state == .initializing {
            change = goDown(.detectionTimeExpired)
        }
        var packets: [BFDPacket] = []
        if let nextSend, now >= nextSend {
            packets.append(packet(poll: polling))
            // The interval: the slower of ours (as agreed) and what the peer can receive.
            let interval = Double(max(desiredMinTx, remoteRequiredMinRx))
            self.nextSend = now + .microseconds(Int(interval * min(1, max(0.75, jitter))))
        }
        return (packets, change)
    }

    private mutating func goDown(_ why: BFDPacket.Diagnostic) -> Change {
        state = .down
        diagnostic = why
        remoteDiscriminator = 0
        detectionDeadline = nil
        polling = false
        return .down(why)
    }
}
