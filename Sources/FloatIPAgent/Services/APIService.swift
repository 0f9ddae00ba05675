import ServiceLifecycle

/// The HTTP API as a service: started (listening) before the group runs, so a bind failure stops
/// the agent before it claims anything; stopped on shutdown, after the agent has handed over.
public struct APIService: Service {
    let server: APIServer

    public init(server: APIServer) { self.server = server }

    public func run() async throws {
        try? await gracefulShutdown()
        await server.stop()
    }
}
