import Dispatch
import Glibc

/// SIGINT and SIGTERM as an event: `install()` takes them over at once (so a signal that arrives
/// while the command is still starting is not lost, nor fatal), `wait()` returns the first.
final class TerminationSignal: @unchecked Sendable {
    private let queue = DispatchQueue(label: "floatip.signals")
    private var sources: [DispatchSourceSignal] = []
    /// Touched only on `queue`.
    private var received: String?
    private var waiter: CheckedContinuation<String, Never>?

    /// Starts catching SIGINT and SIGTERM, and ignoring SIGHUP when `hangup` (for `onHangup`).
    static func install(hangup: Bool = false) -> TerminationSignal {
        let signals = TerminationSignal()
        if hangup { signal(SIGHUP, SIG_IGN) }
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signals.queue)
            source.setEventHandler { signals.deliver(name) }
            signals.sources.append(source)
            source.resume()
        }
        return signals
    }

    /// Calls `handler` on every SIGHUP from now on. Install with `hangup: true`, so that one that
    /// arrives before this is ignored rather than ending the process (SIGHUP's default action).
    func onHangup(_ handler: @escaping @Sendable () -> Void) {
        queue.async {
            let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: self.queue)
            source.setEventHandler(handler: handler)
            self.sources.append(source)
            source.resume()
        }
    }

    /// The name of the first signal caught (returns at once if one already was).
    func wait() async -> String {
        await withCheckedContinuation { continuation in
            queue.async {
                if let received = self.received {
                    continuation.resume(returning: received)
                } else {
                    self.waiter = continuation
                }
            }
        }
    }

    private func deliver(_ name: String) {
        guard received == nil else { return }
        received = name
        waiter?.resume(returning: name)
        waiter = nil
    }
}
