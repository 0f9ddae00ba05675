import FloatIPCore
import Foundation
import Synchronization

/// Keeps one mover's `MoverTelemetry`, written by its calls from any task.
public final class TelemetryRecorder: Sendable {
    private let state: Mutex<MoverTelemetry>

    public init(kind: String) { state = Mutex(MoverTelemetry(kind: kind)) }

    /// A copy of the telemetry now.
    public func snapshot() -> MoverTelemetry { state.withLock { $0 } }

    /// One attempt finished (answered or not).
    func recordCall(_ call: String, latency: Duration, answer: String, retried: Bool) {
        let now = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        state.withLock { telemetry in
            telemetry.lastCall = call
            telemetry.lastCallAtMs = now
            telemetry.latencyMs = latency.milliseconds
            telemetry.answer = answer
            telemetry.calls += 1
            if retried { telemetry.retries += 1 }
        }
    }

    /// What the provider reported as the holder on the last read.
    func recordHolder(_ holder: String?, holdsHere: Bool) {
        state.withLock {
            $0.providerHolder = holder
            $0.providerHoldsHere = holdsHere
        }
    }

    /// An operation finished: nil on success (clears the last error).
    func recordOutcome(_ error: String?) {
        state.withLock {
            $0.lastError = error
            if error != nil { $0.failures += 1 }
        }
    }

    func recordDrift() { state.withLock { $0.drifts += 1 } }
}
