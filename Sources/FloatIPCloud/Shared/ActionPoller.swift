/// Waits for a provider's asynchronous action (DigitalOcean, Hetzner Cloud) to finish: polls its
/// URL every `interval` until its status is one of `done` or `failed`, within the deadline.
struct ActionPoller: Sendable {
    let http: ProviderHTTP
    let interval: Duration
    /// The action's status and error message in one poll's answer.
    let read: @Sendable (JSONAnswer) -> (status: String?, error: String?)
    let done: Set<String>
    let failed: Set<String>

    /// Polls `request` (built afresh each time) starting from `first`, the action the move returned.
    func wait(
        first: JSONAnswer, call: String, deadline: ContinuousClock.Instant,
        _ request: @escaping @Sendable () -> ProviderRequest
    ) async throws {
        var current = first
        while true {
            let (status, error) = read(current)
            guard let status else { throw http.missing("action status", in: current, call: call, status: 200) }
            if done.contains(status) { return }
            if failed.contains(status) {
                throw ProviderError(
                    provider: http.provider, call: call, message: http.scrub("the action ended in `\(status)`"
                        + (error.map { ": \($0)" } ?? "")), kind: .actionFailed)
            }
            guard ContinuousClock.now + interval < deadline else {
                throw ProviderError(
                    provider: http.provider, call: call,
                    message: "the action was still `\(status)` when the deadline came", kind: .deadline)
            }
            try await Task.sleep(for: interval)
            let response = try await http.send(deadline: deadline, request)
            current = try JSONAnswer.parse(response, call: request().call, http: http)
        }
    }
}
