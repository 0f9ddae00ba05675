import FloatIPCore
import FloatIPLinux
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The operator's HTTP API of one agent on one listener, as a Hummingbird application: the one
/// function that builds it, for the daemon and for tests alike (tests pass `APIConfig(listenPort: 0)`
/// or a socket in a temporary directory). The agent builds one per listener: the Unix socket
/// (`api.socket`) and, unless `api.listen: off`, TCP.
///
/// Routes: `GET /` (the status page), `GET /v1/status`, `POST /v1/maintenance`, `POST /v1/switchover`, `GET /metrics`
/// (docs/api.md). `token` is the content of `api.token_file` (nil: no token file, mutating
/// requests over TCP are refused; over the socket they need none). `listener` nil means TCP at
/// `api.listen`. `logger` receives one line per operator command for the agent's log;
/// `onServerRunning` the bound port once the listener is up (0 for the socket). `policy` says who
/// may use the socket; `idleTimeout` is shortened by tests only.
public func makeAPIApplication(
    agent: AgentCore, api: APIConfig, listener: APIListener? = nil, token: String?, eventLog: EventLog? = nil,
    metrics: AgentMetrics = AgentMetrics(), policy: PeerPolicy = .current(), idleTimeout: TimeAmount = APIListener.idleTimeout,
    logger: Logger = .silent,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let listener = listener ?? .listen(api)
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: APIAccessMiddleware(listener: listener, policy: policy))
    let handlers = APIHandlers(
        agent: agent, authorization: APIAuthorization(token: token),
        overSocket: listener.isUnixSocket, eventLog: eventLog, metrics: metrics, logger: logger)
    handlers.register(on: router)
    let application = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: idleTimeout)),
        configuration: ApplicationConfiguration(
            address: listener.bindAddress, serverName: "floatip", reuseAddress: true,
            availableConnectionsDelegate: MaximumAvailableConnections(listener.connectionCap)),
        onServerRunning: { channel in
            if case .unixSocket(let path) = listener, let problem = APISocketFile.secure(path, policy: policy) {
                logger.warning("\(problem)")
            }
            await onServerRunning(channel.localAddress?.port ?? 0)
        },
        logger: Logger(label: "floatip.api", factory: { _ in SwiftLogNoOpLogHandler() }))
    return DatelessApplication(inner: application)
}

extension APIListener {
    var isUnixSocket: Bool { if case .unixSocket = self { true } else { false } }
}
