import FloatIPAgent
import FloatIPCore

extension AgentAssembly {
    /// Starts the API's listeners before the agent starts: a bind failure stops the agent before it
    /// claims anything. The Unix socket is the CLI's way in; TCP (unless `api.listen: off`) serves
    /// remote monitoring. On a failure stops the ones started, runs `cleanUp` and throws the message.
    static func startAPI(
        _ cluster: ClusterConfig, agent: AgentCore, token: String?, eventLog: EventLog?, metrics: AgentMetrics,
        log: AgentLog, cleanUp: () async -> Void
    ) async throws(AgentAssemblyError) -> [APIServer] {
        var listeners: [APIListener] = [.unixSocket(path: cluster.api.socketPath())]
        if cluster.api.tcpEnabled { listeners.append(.listen(cluster.api)) }
        var servers: [APIServer] = []
        for listener in listeners {
            let server = APIServer(listener: listener)
            do {
                _ = try await server.start { running in
                    makeAPIApplication(
                        agent: agent, api: cluster.api, listener: listener, token: token, eventLog: eventLog,
                        metrics: metrics, logger: log.part("api"), onServerRunning: running)
                }
            } catch {
                for started in servers { await started.stop() }
                await cleanUp()
                throw AgentAssemblyError("\(error)")
            }
            servers.append(server)
        }
        return servers
    }
}
