import Dispatch
import Glibc

/// Waits for SIGINT or SIGTERM (and then restores their default action).
enum TerminationSignal {
    /// Returns the name of the first of SIGINT or SIGTERM to arrive.
    static func wait() async -> String {
        await withCheckedContinuation { continuation in
            let queue = DispatchQueue(label: "floatip.signals")
            var sources: [DispatchSourceSignal] = []
            let once = Once()
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler {
                    guard once.first() else { return }
                    sources.forEach { $0.cancel() }
                    signal(SIGINT, SIG_DFL)
                    signal(SIGTERM, SIG_DFL)
                    continuation.resume(returning: name)
                }
                sources.append(source)
                source.resume()
            }
        }
    }
}

/// True the first time only (touched on one serial queue).
private final class Once: @unchecked Sendable {
    private var done = false
    func first() -> Bool {
        defer { done = true }
        return !done
    }
}
