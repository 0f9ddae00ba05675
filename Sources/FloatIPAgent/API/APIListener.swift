import FloatIPCore
import Hummingbird
import NIOCore

/// Where one API listener is bound: TCP (`api.listen`, for remote monitoring) or the Unix socket
/// (`api.socket`, the local CLI's way in). Each gets its own application, cap and access check.
public enum APIListener: Sendable, Equatable, CustomStringConvertible {
    case tcp(address: IPAddress, port: Int)
    case unixSocket(path: String)

    /// The TCP listener of `api`.
    public static func listen(_ api: APIConfig) -> APIListener { .tcp(address: api.listenAddress, port: Int(api.listenPort)) }

    /// `127.0.0.1:7454` or the socket's path, as configured.
    public var description: String {
        switch self {
        case .tcp(let address, let port): address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
        case .unixSocket(let path): path
        }
    }

    /// The config field that names it, for errors.
    public var field: String {
        switch self {
        case .tcp: "api.listen"
        case .unixSocket: "api.socket"
        }
    }

    /// The most connections open at once; past it the listener stops accepting until one closes
    /// (they wait in the kernel's backlog and cost the agent no descriptor). TCP is open to every
    /// local user, so its cap bounds what a flood can take; the socket's keeps the operator's way in
    /// apart from it.
    public var connectionCap: Int {
        switch self {
        case .tcp: 256
        case .unixSocket: 64
        }
    }

    /// A connection with no request in flight for this long is closed.
    public static let idleTimeout: TimeAmount = .seconds(15)

    var bindAddress: BindAddress {
        switch self {
        case .tcp(let address, let port): .hostname("\(address)", port: port)
        case .unixSocket(let path): .unixDomainSocket(path: path)
        }
    }
}
