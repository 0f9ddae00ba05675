import FloatIPCore
import Hummingbird
import Synchronization

/// Runs an API application (from `makeAPIApplication`) in a task of its own: `start` returns once
/// the listener is bound (with its port) or throws why it could not be; `stop` closes it.
public final class APIServer: Sendable {
    let listen: String
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// `listen` names the address in errors (`127.0.0.1:7454`, as `api.listen` is written).
    public init(listen: String) { self.listen = listen }

    /// Starts `build`'s application; `build` gets the callback to hand to `makeAPIApplication`'s
    /// `onServerRunning`. Returns the bound port.
    public func start<App: ApplicationProtocol>(
        _ build: (@escaping @Sendable (Int) async -> Void) -> App
    ) async throws(APIServerError) -> Int {
        let (ready, readiness) = AsyncStream<Result<Int, APIServerError>>.makeStream()
        let app = build { port in readiness.yield(.success(port)) }
        let listen = self.listen
        let running = Task {
            do {
                try await app.run()
            } catch {
                readiness.yield(.failure(APIServerError(listen: listen, reason: "\(error)")))
            }
            readiness.yield(.failure(APIServerError(listen: listen, reason: "the server stopped")))
            readiness.finish()
        }
        task.withLock { $0 = running }
        for await outcome in ready {
            return try outcome.get()
        }
        throw APIServerError(listen: listen, reason: "the server stopped")
    }

    /// Stops the listener and waits for the server to finish.
    public func stop() async {
        guard let running = task.withLock({ task in defer { task = nil }; return task }) else { return }
        running.cancel()
        await running.value
    }
}

/// The API could not listen (the address is in use, not on this host, or needs privileges).
public struct APIServerError: Error, Sendable, CustomStringConvertible {
    /// `api.listen` as configured.
    public var listen: String
    public var reason: String

    public var description: String { "api.listen \(listen): cannot listen there: \(reason)" }
}
