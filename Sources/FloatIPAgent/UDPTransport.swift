import FloatIPCore
import NIOCore
import NIOPosix
import Synchronization

/// Peer datagrams over UDP unicast (SwiftNIO): bound to this node's own address and port, sent to
/// each peer's own address. A datagram from an address that is no configured peer is still handed
/// on (with `from` nil) so the machine can count it; authentication decides, not the address.
///
/// NIO closes a datagram channel on most send errors; ENETDOWN (the node's link went down) is one.
/// A node whose link comes back must hear and be heard again, so when the socket closes by
/// itself the transport binds a new one (every 100 ms until it succeeds) and `incoming()` goes on.
public final class UDPTransport: PacketTransport {
    private let binding: Binding
    private let peers: [String: SocketAddress]
    private let stream: AsyncStream<(datagram: [UInt8], from: String?)>

    /// Binds `address:port` and prepares to send to `peers`. Throws with the address in the message
    /// when the bind fails (address not on this host, port in use, no permission).
    public static func bind(
        address: IPAddress, port: UInt16, peers: [PeerConfig], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> UDPTransport {
        var peerAddresses: [String: SocketAddress] = [:]
        for peer in peers {
            peerAddresses[peer.name] = try SocketAddress(ipAddress: "\(peer.address)", port: Int(peer.port))
        }
        let names = Dictionary(peerAddresses.map { (Self.key($0.value), $0.key) }, uniquingKeysWith: { first, _ in first })
        let (stream, continuation) = AsyncStream<(datagram: [UInt8], from: String?)>.makeStream(
            bufferingPolicy: .bufferingNewest(1024))
        let binding = Binding(host: "\(address)", port: Int(port), names: names, continuation: continuation, group: group)
        do {
            try await binding.open().get()
        } catch {
            continuation.finish()
            throw TransportError.bind(address: "\(address)", port: port, underlying: "\(error)")
        }
        return UDPTransport(binding: binding, peers: peerAddresses, stream: stream)
    }

    private init(binding: Binding, peers: [String: SocketAddress], stream: AsyncStream<(datagram: [UInt8], from: String?)>) {
        self.binding = binding
        self.peers = peers
        self.stream = stream
    }

    public func send(_ datagram: [UInt8], to peer: String) async {
        guard let address = peers[peer], let channel = binding.channel else { return }
        let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: datagram))
        // Best effort: a failed send (no route, peer's port closed) is loss, which the protocol tolerates.
        channel.writeAndFlush(envelope, promise: nil)
    }

    public func incoming() -> AsyncStream<(datagram: [UInt8], from: String?)> { stream }

    /// Closes the socket; `incoming()` finishes.
    public func close() async {
        await binding.close()
    }

    static func key(_ address: SocketAddress) -> String { "\(address.ipAddress ?? "?"):\(address.port ?? 0)" }

    /// The current channel, and binding a new one when it closes by itself.
    private final class Binding: @unchecked Sendable {
        let host: String
        let port: Int
        let names: [String: String]
        let continuation: AsyncStream<(datagram: [UInt8], from: String?)>.Continuation
        let group: any EventLoopGroup
        /// The current channel (nil while none is bound), and whether `close()` was called.
        private let state = Mutex<(current: (any Channel)?, closing: Bool)>((nil, false))

        init(
            host: String, port: Int, names: [String: String],
            continuation: AsyncStream<(datagram: [UInt8], from: String?)>.Continuation, group: any EventLoopGroup
        ) {
            self.host = host
            self.port = port
            self.names = names
            self.continuation = continuation
            self.group = group
        }

        var channel: (any Channel)? { state.withLock { $0.current } }

        /// Binds a channel and makes it the current one.
        func open() -> EventLoopFuture<Void> {
            DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHandler(Receiver(names: self.names, continuation: self.continuation) { [weak self] in
                        self?.closedByItself()
                    })
                }
                .bind(host: host, port: port)
                .map { channel in
                    let keep = self.state.withLock { state -> Bool in
                        guard !state.closing else { return false }
                        state.current = channel
                        return true
                    }
                    if !keep { channel.close(promise: nil) }
                }
        }

        func close() async {
            let channel = state.withLock { state -> (any Channel)? in
                state.closing = true
                defer { state.current = nil }
                return state.current
            }
            try? await channel?.close()
            continuation.finish()
        }

        /// The channel closed without `close()`: bind a new one after 100 ms, again until it works.
        private func closedByItself() {
            guard state.withLock({ state -> Bool in
                state.current = nil
                return !state.closing
            }) else { return }
            group.next().scheduleTask(in: .milliseconds(100)) {
                self.open().whenFailure { _ in self.closedByItself() }
            }
        }
    }

    private final class Receiver: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let names: [String: String]
        let continuation: AsyncStream<(datagram: [UInt8], from: String?)>.Continuation
        let onInactive: () -> Void

        init(
            names: [String: String], continuation: AsyncStream<(datagram: [UInt8], from: String?)>.Continuation,
            onInactive: @escaping () -> Void
        ) {
            self.names = names
            self.continuation = continuation
            self.onInactive = onInactive
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let bytes = Array(envelope.data.readableBytesView)
            continuation.yield((bytes, names[UDPTransport.key(envelope.remoteAddress)]))
        }

        func channelInactive(context: ChannelHandlerContext) {
            onInactive()
        }
    }
}

/// Why the peer transport could not start.
public enum TransportError: Error, CustomStringConvertible {
    case bind(address: String, port: UInt16, underlying: String)

    public var description: String {
        switch self {
        case .bind(let address, let port, let underlying):
            "cannot listen for peers on \(address) port \(port) (node.address / node.port): \(underlying); "
                + "the address must be one of this server's own addresses and the port free"
        }
    }
}
