import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request to a provider's API, built afresh for every attempt (signatures carry a time).
public struct ProviderRequest: Sendable {
    public var method: String
    /// The absolute URL.
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// What the call does where the path does not say it (an AWS query API `Action`).
    public var label: String?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [], label: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.label = label
    }

    /// `METHOD /path` (and the label), as calls are named in telemetry and errors (no host, no
    /// query, no credentials).
    public var call: String {
        let path = URLComponents(string: url)?.percentEncodedPath ?? "?"
        return "\(method) \(path.isEmpty ? "/" : path)" + (label.map { " \($0)" } ?? "")
    }
}

/// A provider's answer.
public struct ProviderResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? { RateLimitHint.header(name.lowercased(), in: headers) }
}

/// Makes one provider call: a per-attempt timeout, retries with exponential backoff and full jitter
/// on 429, 5xx, timeouts and connection errors (waiting at least what `Retry-After` or
/// `RateLimit-Reset` ask), all within the caller's deadline. Errors carry the provider's message
/// and status, and never a credential: every message is scrubbed of the secrets given here.
public struct ProviderHTTP: Sendable {
    /// The provider's name in errors and logs (`DigitalOcean`, `AWS EC2`).
    public let provider: String
    public let policy: RetryPolicy
    public let telemetry: TelemetryRecorder
    let client: HTTPClient
    /// The values to scrub from every message (the credentials read so far).
    let secrets: @Sendable () -> [String]
    /// The provider's own message in an error answer (its JSON `message`, its XML `<Message>`).
    let describe: @Sendable (ProviderResponse) -> String?
    /// Answers that mean "slow down" although their status is not 429 (Robot's 403 `RATE_LIMIT_EXCEEDED`).
    let isThrottled: @Sendable (ProviderResponse) -> Bool
    /// A random number in 0…1 for the jitter (a fixed one in tests).
    let random: @Sendable () -> Double

    public init(
        provider: String, policy: RetryPolicy, telemetry: TelemetryRecorder,
        secrets: @escaping @Sendable () -> [String] = { [] },
        client: HTTPClient = .providers,
        describe: @escaping @Sendable (ProviderResponse) -> String? = { _ in nil },
        isThrottled: @escaping @Sendable (ProviderResponse) -> Bool = { _ in false },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.provider = provider
        self.policy = policy
        self.telemetry = telemetry
        self.secrets = secrets
        self.client = client
        self.describe = describe
        self.isThrottled = isThrottled
        self.random = random
    }

    /// Sends the request `make` builds until it succeeds (2xx, or a status in `accept`), fails for
    /// good, or the deadline passes. Returns the answer; throws `ProviderError`.
    public func send(
        deadline: ContinuousClock.Instant, accept: Set<Int> = [], _ make: @Sendable () throws -> ProviderRequest
    ) async throws -> ProviderResponse {
        let clock = ContinuousClock()
        var attempt = 0
        var lastFailure: ProviderError?
        while true {
            let request = try make()
            let left = deadline - clock.now
            guard left > .zero else {
                throw ProviderError(
                    provider: provider, call: request.call, status: lastFailure?.status,
                    message: "deadline passed" + (lastFailure.map { " (last answer: \($0.message))" } ?? ""),
                    kind: .deadline)
            }
            let started = clock.now
            var failure = ProviderError(provider: provider, call: request.call, message: "")
            var hint: Duration?
            do {
                let response = try await execute(request, timeout: min(policy.requestTimeout, left))
                let latency = clock.now - started
                if (200..<300).contains(response.status) || accept.contains(response.status) {
                    telemetry.recordCall(request.call, latency: latency, answer: "HTTP \(response.status)", retried: false)
                    return response
                }
                let retryable = response.status == 429 || response.status >= 500 || isThrottled(response)
                let message = scrub(describe(response) ?? Self.fallbackMessage(response))
                failure = ProviderError(provider: provider, call: request.call, status: response.status, message: message)
                telemetry.recordCall(
                    request.call, latency: latency, answer: "HTTP \(response.status): \(message)", retried: retryable)
                guard retryable else { throw failure }
                hint = RateLimitHint.wait(headers: response.headers, nowSeconds: Date().timeIntervalSince1970)
            } catch let error as ProviderError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let message = scrub(Self.transportMessage(error, timeout: min(policy.requestTimeout, left)))
                failure = ProviderError(provider: provider, call: request.call, message: message, kind: .transport)
                telemetry.recordCall(request.call, latency: clock.now - started, answer: message, retried: true)
            }
            lastFailure = failure
            attempt += 1
            guard attempt < policy.maxAttempts else {
                throw with(failure, message: failure.message + " (gave up after \(attempt) attempts)")
            }
            let wait = policy.delay(attempt: attempt - 1, unit: random(), hint: hint)
            let remaining = deadline - clock.now
            guard wait < remaining else {
                let asked = hint.map { " (the provider asked to wait \($0.shortDescription))" } ?? ""
                throw with(failure, message: failure.message + "; not retried: the next attempt in "
                    + "\(wait.shortDescription)\(asked) would come after the deadline (\(max(remaining, .zero).shortDescription) left)",
                    kind: .deadline)
            }
            try await Task.sleep(for: wait)
        }
    }

    /// `text` with every secret this client knows replaced.
    public func scrub(_ text: String) -> String {
        secrets().filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }

    /// A malformed-answer error for `request`'s call, scrubbed.
    public func malformed(_ call: String, status: Int?, _ message: String) -> ProviderError {
        ProviderError(provider: provider, call: call, status: status, message: scrub(message), kind: .malformed)
    }

    private func with(_ error: ProviderError, message: String, kind: ProviderError.Kind? = nil) -> ProviderError {
        var changed = error
        changed.message = message
        if let kind { changed.kind = kind }
        return changed
    }

    private func execute(_ request: ProviderRequest, timeout: Duration) async throws -> ProviderResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await client.execute(outgoing, timeout: .nanoseconds(max(1, timeout.nanoseconds)))
        let body = try await response.body.collect(upTo: 1 << 20)
        return ProviderResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(body.readableBytesView))
    }

    /// What an error answer says when the provider's own message cannot be found: its first printable text.
    static func fallbackMessage(_ response: ProviderResponse) -> String {
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
            .unicodeScalars.map { $0.properties.isWhitespace || $0.value < 0x20 ? " " : String($0) }.joined()
            .split(separator: " ").joined(separator: " ")
        return text.isEmpty ? "(no message in the answer)" : text
    }

    /// An error thrown before any answer, in words.
    static func transportMessage(_ error: any Error, timeout: Duration) -> String {
        if let client = error as? HTTPClientError {
            let timeouts: [HTTPClientError] = [.deadlineExceeded, .readTimeout, .connectTimeout, .remoteConnectionClosed]
            if timeouts.contains(client) { return "no answer within \(timeout.shortDescription) (\(client))" }
            if client == .bodyLengthMismatch { return "the answer was cut short (\(client))" }
            return "request failed: \(client)"
        }
        let text = "\(error)"
        return "cannot reach the API: " + (text.count > 200 ? String(text.prefix(200)) + "…" : text)
    }
}
