import ServiceLifecycle

/// The peer transport as a service: bound before the group starts (so a bind error stops the
/// agent before it claims anything), closed when the group shuts down, after everything that sends.
public struct TransportService: Service {
    let transport: UDPTransport

    public init(transport: UDPTransport) { self.transport = transport }

    public func run() async throws {
        try? await gracefulShutdown()
        await transport.close()
    }
}
