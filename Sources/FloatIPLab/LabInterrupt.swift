import Dispatch
import Foundation
import Glibc

/// SIGINT and SIGTERM as a flag the lab checks between its steps and while it waits, so that a
/// Ctrl-C tears the lab down through the same path as an error, from the main flow (a signal
/// handler that removed namespaces while `up` was still adding them would race it).
public final class LabInterrupt: @unchecked Sendable {
    /// The one instance: signals are process-wide.
    public static let shared = LabInterrupt()

    private let lock = NSLock()
    private var signalName: String?
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "floatip.lab.signals")

    private init() {}

    /// Takes over SIGINT and SIGTERM (from now on they set the flag instead of ending the process).
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.raise(name) }
            sources.append(source)
            source.resume()
        }
    }

    /// The first signal caught, if any.
    public var caught: String? {
        lock.lock()
        defer { lock.unlock() }
        return signalName
    }

    /// Throws `LabError.interrupted` once a signal was caught.
    public func check() throws(LabError) {
        if caught != nil { throw .interrupted }
    }

    /// Sleeps `duration`, waking every 10 ms to check for a signal.
    public func sleep(_ duration: Duration) throws(LabError) {
        let clock = ContinuousClock()
        let deadline = clock.now + duration
        while clock.now < deadline {
            try check()
            let left = deadline - clock.now
            let microseconds = left.components.seconds * 1_000_000 + left.components.attoseconds / 1_000_000_000_000
            usleep(UInt32(clamping: min(10_000, max(0, microseconds))))
        }
        try check()
    }

    /// Polls `condition` every 5 ms until it returns a value or `limit` passes (then `LabError.timeout(what)`).
    public func wait<T>(_ limit: Duration, for what: String, _ condition: () throws(LabError) -> T?) throws(LabError) -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            try check()
            if let value = try condition() { return value }
            guard clock.now < deadline else { throw .timeout(what) }
            usleep(5_000)
        }
    }

    private func raise(_ name: String) {
        lock.lock()
        defer { lock.unlock() }
        if signalName == nil { signalName = name }
    }
}
