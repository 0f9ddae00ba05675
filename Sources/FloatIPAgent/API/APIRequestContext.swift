import FloatIPCore
import Hummingbird
import NIOCore

/// The request context of the API: Hummingbird's core storage and who is asking (the client's
/// address, for the event log's record of operator commands), and the connection it came on.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `127.0.0.1:51234`, or nil when the request did not come over a TCP socket (Unix socket, router tests).
    public let remoteAddress: String?
    /// The local address the connection arrived on and its port (TCP only).
    let localAddress: IPAddress?
    let localPort: Int?
    /// The connection (for the Unix socket's peer credentials).
    let channel: (any Channel)?
    /// Over the Unix socket: who is asking, as the kernel says (set by `APIAccessMiddleware`).
    var peer: PeerCredentials?

    /// Who asked, for the log and the event log: the TCP client's address, or the socket peer's
    /// uid and pid.
    var requester: String? {
        remoteAddress ?? peer.map { "uid \($0.uid) pid \($0.pid)" }
    }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        remoteAddress = source.channel.remoteAddress.flatMap { address in
            guard let ip = address.ipAddress else { return nil }
            return address.protocol == .inet6 ? "[\(ip)]:\(address.port ?? 0)" : "\(ip):\(address.port ?? 0)"
        }
        localAddress = source.channel.localAddress?.ipAddress.flatMap { IPAddress($0) }
        localPort = source.channel.localAddress?.port
    }
}
