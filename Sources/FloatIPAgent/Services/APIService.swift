import ServiceLifecycle

/// The HTTP API (each of its listeners) as a service: started (listening) before the group runs, so a bind failure stops
/// the agent before it claims anything; stopped on shutdown, after the agent has handed over.
public struct APIService: Service {
    let servers: [APIServer]

    public init(server: APIServer) { servers = [server] }

    /// One service for every listener (the Unix socket and TCP).
    public init(servers: [APIServer]) { self.servers = servers }

    public func run() async throws {
        try? await gracefulShutdown()
        for server in servers { await server.stop() }
    }
}
