/// How a provider call is retried: per-attempt timeout, exponential backoff with full jitter, and
/// a bound on attempts. The overall deadline is the caller's (`claim_timeout`).
public struct RetryPolicy: Sendable, Equatable {
    /// The longest one attempt may take.
    public var requestTimeout: Duration
    /// The backoff's first step; attempt n waits a random time in 0…min(maxDelay, baseDelay·2ⁿ).
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// At most this many attempts per call, whatever the deadline.
    public var maxAttempts: Int

    public init(
        requestTimeout: Duration = .seconds(10), baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(10), maxAttempts: Int = 8
    ) {
        self.requestTimeout = requestTimeout
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// The wait before retry number `attempt` (0 for the first retry): full jitter ("Exponential
    /// Backoff And Jitter", AWS Architecture Blog), `unit` a random number in 0…1. A provider's
    /// hint (Retry-After, RateLimit-Reset) is a floor: waiting less would only be refused again.
    public func delay(attempt: Int, unit: Double, hint: Duration? = nil) -> Duration {
        let exponent = min(max(attempt, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let jittered = ceiling * min(max(unit, 0), 1)
        guard let hint else { return jittered }
        return max(jittered, hint)
    }
}
