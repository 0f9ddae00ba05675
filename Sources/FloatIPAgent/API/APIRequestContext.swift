import Hummingbird

/// The request context of the API: Hummingbird's core storage and who is asking (the client's
/// address, for the event log's record of operator commands).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `127.0.0.1:51234`, or nil when the request did not come over a socket (router tests).
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress.flatMap { address in
            guard let ip = address.ipAddress else { return nil }
            return address.protocol == .inet6 ? "[\(ip)]:\(address.port ?? 0)" : "\(ip):\(address.port ?? 0)"
        }
    }
}
