import FloatIPCore
import Hummingbird

/// Checked before every route: over TCP, the `Host` header (`HostCheck`); over the Unix socket,
/// the peer's credentials (`PeerPolicy`). The bearer token for mutating requests is checked by
/// the routes themselves, and only over TCP.
struct APIAccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let listener: APIListener
    let policy: PeerPolicy

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        switch listener {
        case .tcp(let address, let port):
            let check = HostCheck(listenAddress: address, port: context.localPort ?? port)
            if let why = check.refusal(authority: request.head.authority, arrivedOn: context.localAddress) {
                return .json(APIErrorResponse(error: why), status: .misdirectedRequest)
            }
        case .unixSocket:
            guard let channel = context.channel, let peer = await PeerCredentials.read(channel) else {
                return .json(APIErrorResponse(error: "the peer's credentials (SO_PEERCRED) could not be read"),
                             status: .forbidden)
            }
            if let why = policy.refusal(peer, groups: peer.supplementaryGroups()) {
                return .json(APIErrorResponse(error: why), status: .forbidden)
            }
            var context = context
            context.peer = peer
            return try await next(request, context)
        }
        return try await next(request, context)
    }
}
