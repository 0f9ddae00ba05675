import FloatIPCore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// Runs an API application (from `makeAPIApplication`) in a task of its own: `start` returns once
/// the listener is bound (with its port) or throws why it could not be; `stop` closes it.
public final class APIServer: Sendable {
    let listen: String
    let field: String
    /// The Unix socket's path, made ready before the bind and removed after the stop.
    let socketPath: String?
    private let task = Mutex<(running: Task<Void, Never>, group: ServiceGroup)?>(nil)
    /// How long `stop` lets connections finish (graceful shutdown) before it cuts them.
    static let stopGrace: Duration = .seconds(2)

    /// `listen` names the address in errors (`127.0.0.1:7454`, as `api.listen` is written).
    public init(listen: String) {
        self.listen = listen
        field = "api.listen"
        socketPath = nil
    }

    /// A server for `listener`: its description and field name its errors.
    public init(listener: APIListener) {
        listen = listener.description
        field = listener.field
        if case .unixSocket(let path) = listener { socketPath = path } else { socketPath = nil }
    }

    /// Starts `build`'s application; `build` gets the callback to hand to `makeAPIApplication`'s
    /// `onServerRunning`. Returns the bound port.
    public func start<App: ApplicationProtocol>(
        _ build: (@escaping @Sendable (Int) async -> Void) -> App
    ) async throws(APIServerError) -> Int {
        if let socketPath { try APISocketFile.prepare(socketPath) }
        let (ready, readiness) = AsyncStream<Result<Int, APIServerError>>.makeStream()
        let app = build { port in readiness.yield(.success(port)) }
        let listen = self.listen
        let field = self.field
        // Run as a service so `stop` can shut it down gracefully: a task cancelled while the server
        // accepts a connection drops that connection's channel unused, and NIO's precondition on
        // its writer then ends the process (seen when a client connected as the API stopped).
        var quiet = Logger(label: "floatip.api")
        quiet.logLevel = .critical
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: app)], logger: quiet))
        let running = Task {
            do {
                try await group.run()
            } catch {
                readiness.yield(.failure(APIServerError(listen: listen, field: field, reason: "\(error)")))
            }
            readiness.yield(.failure(APIServerError(listen: listen, field: field, reason: "the server stopped")))
            readiness.finish()
        }
        task.withLock { $0 = (running, group) }
        for await outcome in ready {
            return try outcome.get()
        }
        throw APIServerError(listen: listen, field: field, reason: "the server stopped")
    }

    /// Stops the listener: no new connections, open ones end after their request (graceful), those
    /// still open after `stopGrace` are cut; waits for the server to finish.
    public func stop() async {
        guard let (running, group) = task.withLock({ task in defer { task = nil }; return task }) else { return }
        await group.triggerGracefulShutdown()
        let cutoff = Task {
            try? await Task.sleep(for: Self.stopGrace)
            running.cancel()
        }
        await running.value
        cutoff.cancel()
        if let socketPath { unlink(socketPath) }
    }
}

/// The API could not listen (the address is in use, not on this host, or needs privileges; the
/// socket's path is served by another agent or is not a socket).
public struct APIServerError: Error, Sendable, CustomStringConvertible {
    /// `api.listen` or `api.socket` as configured.
    public var listen: String
    /// `api.listen` or `api.socket`.
    public var field: String
    public var reason: String

    public init(listen: String, field: String = "api.listen", reason: String) {
        self.listen = listen
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field) \(listen): cannot listen there: \(reason)" }
}
