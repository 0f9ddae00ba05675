import FloatIPCore

/// What the `CheckScheduler` publishes: every result, and every change of a check's state.
public enum CheckEvent: Sendable, Equatable {
    /// One run's result, and the check's state after it (through its rise/fall hysteresis).
    case result(name: String, result: CheckResult, state: Hysteresis.State)
    /// The check's state changed; `detail` is the output of the result that changed it.
    case changed(name: String, from: Hysteresis.State, to: Hysteresis.State, detail: String)
}
