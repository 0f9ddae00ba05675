import NIOCore
import NIOPosix

/// A health-probe answerer that is either listening or closed: open while this node holds the
/// group, closed otherwise, so a load balancer's probe sees a refused connection at once on a
/// node that does not hold it (and on one whose agent has died: the kernel closes the socket).
///
/// Without a path the handshake is the answer: the connection is left for the prober to close
/// (so the TIME_WAIT is the prober's), and closed after 2 s at the latest. With a path, the
/// request's head is read (at most 8 KiB, 2 s) and `GET` or `HEAD` of the path answers `200 OK`,
/// anything else `404`; the connection is closed after the answer.
public actor ProbeListener {
    public let settings: AzureLBSettings
    private var channel: (any Channel)?

    public init(settings: AzureLBSettings) {
        self.settings = settings
    }

    /// Whether the port is open now.
    public var isOpen: Bool { channel?.isActive == true }

    /// Opens the port (nothing when it is open). Throws the system's reason (`Address already in use`).
    public func open() async throws {
        if isOpen { return }
        let path = settings.path
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProbeConnection(path: path))
                }
            }
            .bind(host: "\(settings.bind)", port: Int(settings.port)).get()
        // Two opens racing across an await: keep the first, close ours.
        if isOpen {
            try? await bound.close()
            return
        }
        channel = bound
    }

    /// Closes the port (nothing when it is closed).
    public func close() async {
        guard let channel else { return }
        self.channel = nil
        try? await channel.close()
    }
}

/// One probe's connection: with `path`, answers one HTTP request (200 for `GET`/`HEAD` of `path`, its
/// query ignored; 404 otherwise); without, reads nothing. Closed after 2 s in any case.
final class ProbeConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A request head longer than this is answered 400.
    static let headLimit = 8 * 1024
    let path: String?
    private var received: [UInt8] = []
    private var answered = false

    init(path: String?) { self.path = path }

    func channelActive(context: ChannelHandlerContext) {
        // A client that never finishes its request does not keep a connection forever.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let path, !answered else { return }
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        let status: String
        if let answer = Self.status(of: received, path: path) {
            status = answer
        } else if received.count > Self.headLimit {
            status = "400 Bad Request"
        } else {
            return
        }
        answered = true
        let body = status + "\n"
        // A HEAD's answer has the length of the body a GET would get, and no body.
        let head = received.starts(with: "HEAD ".utf8)
        let text = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + (head ? "" : body)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The answer to a request whose head is complete in `bytes`; nil while it is not.
    static func status(of bytes: [UInt8], path: String) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("\r\n\r\n") || text.contains("\n\n") else { return nil }
        // By scalars: a String's "\r\n" is one Character.
        let firstLine = String(String.UnicodeScalarView(text.unicodeScalars.prefix { $0 != "\r" && $0 != "\n" }))
        let requestLine = firstLine.split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return "400 Bad Request" }
        let target = requestLine[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard requestLine[0] == "GET" || requestLine[0] == "HEAD" else { return "405 Method Not Allowed" }
        return target == path ? "200 OK" : "404 Not Found"
    }
}
