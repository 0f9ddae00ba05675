import NIOCore
import NIOPosix
import Synchronization

/// What a scripted test server does with what a connection has sent so far.
enum ScriptedReply: Sendable {
    /// Read more first.
    case wait
    /// Send these bytes, then close the connection or keep it open (and say nothing more).
    case send([UInt8], close: Bool)
    /// Say nothing, ever (until the test closes the server).
    case hang
}

/// A real TCP server on loopback for the tests (NIO, port chosen by the kernel). On connect it sends
/// `banner` (if any); then `reply` decides, from all bytes received, what to answer. `close()` shuts
/// the listener and every connection it accepted.
final class ScriptedTCPServer: Sendable {
    let port: Int
    let host: String
    private let listener: any Channel
    private let connections: AcceptedChannels

    private init(host: String, port: Int, listener: any Channel, connections: AcceptedChannels) {
        self.host = host
        self.port = port
        self.listener = listener
        self.connections = connections
    }

    /// `host:port` (`[::1]:port` for IPv6).
    var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func start(
        host: String = "127.0.0.1", banner: [UInt8]? = nil, reply: @escaping @Sendable ([UInt8]) -> ScriptedReply
    ) async throws -> ScriptedTCPServer {
        let accepted = AcceptedChannels()
        let listener = try await ServerBootstrap(group: NIOSingletons.posixEventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedHandler(banner: banner, reply: reply))
                }
            }
            .bind(host: host, port: 0).get()
        let port = listener.localAddress?.port ?? 0
        return ScriptedTCPServer(host: host, port: port, listener: listener, connections: accepted)
    }

    /// A port on which nothing listens now (a server bound and closed again).
    static func closedPort() async throws -> Int {
        let server = try await start { _ in .hang }
        let port = server.port
        await server.close()
        return port
    }

    func close() async {
        try? await listener.close()
        let open = connections.channels.withLock { $0 }
        for channel in open { try? await channel.close() }
    }
}

/// The connections a server accepted, to close them with it.
private final class AcceptedChannels: Sendable {
    let channels = Mutex<[any Channel]>([])
    func add(_ channel: any Channel) { channels.withLock { $0.append(channel) } }
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let banner: [UInt8]?
    let reply: @Sendable ([UInt8]) -> ScriptedReply
    private var received: [UInt8] = []
    private var answered = false

    init(banner: [UInt8]?, reply: @escaping @Sendable ([UInt8]) -> ScriptedReply) {
        self.banner = banner
        self.reply = reply
    }

    func channelActive(context: ChannelHandlerContext) {
        if let banner { context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: banner)), promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        switch reply(received) {
        case .wait:
            break
        case .hang:
            answered = true
        case .send(let bytes, let close):
            answered = true
            let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)))
            if close {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
