/// The result of one run of one check (`CheckProbe.run`).
public struct CheckResult: Sendable, Equatable {
    public var passed: Bool
    /// What a person needs to see: `HTTP 503 from http://127.0.0.1/health`, `exit 1: …`.
    public var detail: String
    public var duration: Duration

    public init(passed: Bool, detail: String, duration: Duration) {
        self.passed = passed
        self.detail = detail
        self.duration = duration
    }
}
