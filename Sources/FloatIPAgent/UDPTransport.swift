import FloatIPCore
import NIOCore
import NIOPosix

/// Peer datagrams over UDP unicast (SwiftNIO): bound to this node's own address and port, sent to
/// each peer's own address. A datagram from an address that is no configured peer is still handed
/// on (with `from` nil) so the machine can count it; authentication decides, not the address.
public final class UDPTransport: PacketTransport {
    private let channel: any Channel
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
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHandler(Receiver(names: names, continuation: continuation))
                }
                .bind(host: "\(address)", port: Int(port)).get()
        } catch {
            continuation.finish()
            throw TransportError.bind(address: "\(address)", port: port, underlying: "\(error)")
        }
        return UDPTransport(channel: channel, peers: peerAddresses, stream: stream)
    }

    private init(channel: any Channel, peers: [String: SocketAddress], stream: AsyncStream<(datagram: [UInt8], from: String?)>) {
        self.channel = channel
        self.peers = peers
        self.stream = stream
    }

    public func send(_ datagram: [UInt8], to peer: String) async {
        guard let address = peers[peer] else { return }
        let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: datagram))
        // Best effort: a failed send (no route, peer's port closed) is loss, which the protocol tolerates.
        channel.writeAndFlush(envelope, promise: nil)
    }

    public func incoming() -> AsyncStream<(datagram: [UInt8], from: String?)> { stream }

    /// Closes the socket; `incoming()` finishes.
    public func close() async {
        try? await channel.close()
    }

    static func key(_ address: SocketAddress) -> String { "\(address.ipAddress ?? "?"):\(address.port ?? 0)" }

    private final class Receiver: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let names: [String: String]
        let continuation: AsyncStream<(datagram: [UInt8], from: String?)>.Continuation

        init(names: [String: String], continuation: AsyncStream<(datagram: [UInt8], from: String?)>.Continuation) {
            self.names = names
            self.continuation = continuation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let bytes = Array(envelope.data.readableBytesView)
            continuation.yield((bytes, names[UDPTransport.key(envelope.remoteAddress)]))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
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
