import FloatIPCore
import Hummingbird
import Logging

/// The operator's HTTP API of one agent, as a Hummingbird application: the one function that
/// builds it, for the daemon and for tests alike (tests pass `APIConfig(listenPort: 0)`).
///
/// Routes: `GET /` (the status page), `GET /v1/status`, `POST /v1/maintenance`, `POST /v1/switchover`, `GET /metrics`
/// (docs/api.md). `token` is the content of `api.token_file` (nil: no token file, mutating
/// requests are refused). `note` receives one line per operator command for the agent's log;
/// `onServerRunning` the bound port once the listener is up.
public func makeAPIApplication(
    agent: AgentCore, api: APIConfig, token: String?, eventLog: EventLog? = nil, metrics: AgentMetrics = AgentMetrics(),
    note: @escaping @Sendable (String) -> Void = { _ in },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router(context: APIRequestContext.self)
    let handlers = APIHandlers(
        agent: agent, groups: agent.config.groups.map(\.name), authorization: APIAuthorization(token: token),
        eventLog: eventLog, metrics: metrics, note: note)
    handlers.register(on: router)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname("\(api.listenAddress)", port: Int(api.listenPort)), serverName: "floatip",
            reuseAddress: true),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? Int(api.listenPort)) },
        logger: Logger(label: "floatip.api", factory: { _ in SwiftLogNoOpLogHandler() }))
}
