import FloatIPCore
import FloatIPLinux
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// `floatip witness`: answers each authentic witness probe with one answer of the same size to the address it
/// came from, and nothing else (docs/protocol.md, "Witness"). It holds no floating addresses, keeps no state
/// about nodes beyond counters, and never sends on its own: a forged, truncated or foreign datagram is dropped
/// and counted by reason.
public final class WitnessResponder: Sendable {
    /// What the responder has seen: answers sent, datagrams dropped by reason, nodes answered.
    public struct Counters: Sendable, Equatable {
        public var answered = 0
        /// Dropped datagrams by reason (`WireError.reason`, or `not_a_probe` for an authentic answer).
        public var rejected: [String: Int] = [:]
        /// The nodes whose probes were answered, each with the address its last probe came from.
        public var nodes: [String: String] = [:]
    }

    private let channel: any Channel
    private let tally: Tally

    /// The port it listens on (the one given, or the kernel's choice for port 0).
    public let port: Int

    private init(channel: any Channel, tally: Tally) {
        self.channel = channel
        self.tally = tally
        port = channel.localAddress?.port ?? 0
    }

    /// Binds `address:port` and starts answering. `logger` hears (on an event loop) the first time a
    /// node is answered, and, as a warning, the first time each reason of rejection occurs.
    public static func bind(
        address: IPAddress, port: UInt16, codec: WitnessCodec,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = .silent
    ) async throws -> WitnessResponder {
        let tally = Tally()
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Answerer(codec: codec, tally: tally, logger: logger))
                }
            }
            .bind(host: "\(address)", port: Int(port)).get()
        return WitnessResponder(channel: channel, tally: tally)
    }

    public func counters() -> Counters { tally.counters.withLock { $0 } }

    /// Returns when the socket has closed: after `close()`, or by itself (NIO closes a datagram channel on
    /// some send errors, such as the link going down), when the caller binds a new one.
    public func closed() async {
        try? await channel.closeFuture.get()
    }

    /// Stops listening.
    public func close() async {
        try? await channel.close()
    }

    final class Tally: Sendable {
        let counters = Mutex(Counters())
    }

    /// Decodes each datagram; answers probes, counts the rest.
    private final class Answerer: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        let codec: WitnessCodec
        let tally: Tally
        let logger: Logger

        init(codec: WitnessCodec, tally: Tally, logger: Logger) {
            self.codec = codec
            self.tally = tally
            self.logger = logger
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            var buffer = envelope.data
            let bytes = buffer.readBytes(length: min(buffer.readableBytes, WitnessCodec.maxDatagramSize + 1)) ?? []
            let remote = envelope.remoteAddress
            let from = remote.protocol == .inet6 ? "[\(remote.ipAddress ?? "?")]:\(remote.port ?? 0)"
                : "\(remote.ipAddress ?? "?"):\(remote.port ?? 0)"
            let answer: [UInt8]
            do {
                let message = try codec.decode(bytes)
                guard message.kind == .probe else { return reject("not_a_probe", from: from) }
                answer = try codec.encode(message.answer)
                let first = tally.counters.withLock { counters in
                    counters.answered += 1
                    defer { counters.nodes[message.node] = from }
                    return counters.nodes[message.node] == nil
                }
                if first { logger.info("first probe from node \(message.node) (\(from)): answering") }
            } catch {
                return reject(error.reason, from: from)
            }
            let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: answer))
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }

        private func reject(_ reason: String, from: String) {
            let first = tally.counters.withLock { counters in
                counters.rejected[reason, default: 0] += 1
                return counters.rejected[reason] == 1
            }
            if first { logger.warning("dropped a datagram from \(from): \(reason) (first of its kind; later ones are only counted)") }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A send error (the prober's port closed) is the prober's loss; keep listening.
        }
    }
}
