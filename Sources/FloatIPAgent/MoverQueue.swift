import FloatIPCore

/// Runs one group's mover operations one after another, in the order the engine asked for them
/// (a release asked after a claim runs after that claim has finished), off the agent's actor so a
/// slow cloud API never delays heartbeats.
final class MoverQueue: Sendable {
    private let continuation: AsyncStream<@Sendable () async -> Void>.Continuation
    private let worker: Task<Void, Never>

    init() {
        let (stream, continuation) = AsyncStream<@Sendable () async -> Void>.makeStream()
        self.continuation = continuation
        worker = Task {
            for await job in stream { await job() }
        }
    }

    /// Adds an operation at the end of the queue.
    func enqueue(_ job: @escaping @Sendable () async -> Void) {
        continuation.yield(job)
    }

    /// Lets queued operations finish, then ends the worker.
    func finish() async {
        continuation.finish()
        await worker.value
    }
}
