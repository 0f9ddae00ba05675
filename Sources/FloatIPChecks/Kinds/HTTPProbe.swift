import AsyncHTTPClient
import FloatIPCore
import FloatIPLinux
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The `http` check: a GET (or HEAD) of `target`; passes when the status is in `expect_status` and the
/// body contains `body_contains` and matches `body_regex` (when set), all within the check's timeout.
///
/// **The client's life.** Each probe owns one `HTTPClient` on NIO's shared event loops, made in `init`
/// with this check's TLS setting and kept for the probe's whole life (probes are made once per
/// configured check and run again and again). An `HTTPClient` must be shut down before it is freed:
/// whoever stops using a probe calls `shutdown()`; a probe dropped without it starts the client's
/// shutdown from `deinit` without blocking (the client keeps itself alive until it has closed its
/// connections, so nothing leaks and AsyncHTTPClient's debug check is satisfied).
///
/// Each request asks for `Connection: close`, so every run opens a fresh connection (a server whose
/// accept loop hangs fails the check rather than hiding behind a kept-alive connection). Redirects are
/// not followed: a 3xx is the answer the status set judges. At most `bodyLimit` bytes of the body are
/// read; the timeout covers connecting, the response head and reading the body.
final class HTTPProbe: CheckProbe {
    let check: CheckConfig
    let options: HTTPCheckOptions
    private let url: String
    private let client: HTTPClient
    private let regex: CompiledRegex?
    private let isShutDown = Mutex(false)

    /// The most bytes of a body a run reads (and matches against).
    static let bodyLimit = 1 << 20

    /// Why a check's URL or regular expression cannot be used.
    struct ConfigError: Error, CustomStringConvertible {
        var description: String
    }

    init(check: CheckConfig, options: HTTPCheckOptions) throws {
        guard let components = URLComponents(string: check.target), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw ConfigError(description: "target \"\(check.target)\" is not an http:// or https:// URL")
        }
        if let pattern = options.bodyRegex {
            do {
                regex = try CompiledRegex(pattern: pattern)
            } catch {
                throw ConfigError(description: "body_regex \"\(pattern)\" does not compile: \(error)")
            }
        } else {
            regex = nil
        }
        self.check = check
        self.options = options
        url = check.target
        let connectTimeout = TimeAmount.nanoseconds(max(1, check.timeout.nanoseconds))
        let timeouts = HTTPClient.Configuration.Timeout(connect: connectTimeout)
        var configuration =
            options.tlsVerify
            ? HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: timeouts)
            : HTTPClient.Configuration(
                certificateVerification: .none, redirectConfiguration: .disallow, timeout: timeouts,
                maximumAllowedIdleTimeInConnectionPool: .seconds(60))
        // A refused connection is an answer: report it now instead of retrying until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: NIOSingletons.posixEventLoopGroup, configuration: configuration)
    }

    deinit {
        let alreadyShutDown = isShutDown.withLock { $0 }
        if !alreadyShutDown {
            // Non-blocking: the client holds itself until its connections are closed.
            client.shutdown { _ in }
        }
    }

    /// Closes the probe's connections and frees its client. Call once, when the check is no longer run.
    func shutdown() async {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if first { try? await client.shutdown() }
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let outcome = await withDeadline(check.timeout) { await self.fetch() }
        let duration = ContinuousClock.now - start
        guard let outcome else {
            return CheckResult(
                passed: false, detail: "no answer within \(check.timeout.shortDescription) from \(url)",
                duration: duration)
        }
        return CheckResult(passed: outcome.passed, detail: outcome.detail, duration: duration)
    }

    /// One request and the judgement of its answer; the caller's deadline cancels it.
    private func fetch() async -> (passed: Bool, detail: String) {
        var request = HTTPClientRequest(url: url)
        request.method = options.method == .head ? .HEAD : .GET
        request.headers.add(name: "User-Agent", value: "floatip-check")
        request.headers.add(name: "Connection", value: "close")
        let response: HTTPClientResponse
        do {
            // The deadline here only backs up the caller's, which also covers the body.
            response = try await client.execute(request, timeout: .nanoseconds(max(1, check.timeout.nanoseconds)))
        } catch {
            return (false, describe(error))
        }
        let status = Int(response.status.code)
        guard options.expectStatus.contains(where: { $0.contains(status) }) else {
            return (false, "HTTP \(status) from \(url)")
        }
        guard options.bodyContains != nil || regex != nil else { return (true, "HTTP \(status) from \(url)") }
        var body: [UInt8] = []
        do {
            for try await chunk in response.body {
                body.append(contentsOf: chunk.readableBytesView.prefix(Self.bodyLimit - body.count))
                if body.count >= Self.bodyLimit { break }
            }
        } catch {
            return (false, "HTTP \(status) from \(url), then reading the body: \(describe(error))")
        }
        let text = String(decoding: body, as: UTF8.self)
        if let needle = options.bodyContains, !text.contains(needle) {
            return (false, "HTTP \(status) from \(url): body does not contain \"\(needle)\"")
        }
        if let regex, !regex.matches(text), let pattern = options.bodyRegex {
            return (false, "HTTP \(status) from \(url): body does not match /\(pattern)/")
        }
        return (true, "HTTP \(status) from \(url), body as expected")
    }

    private func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return "no answer within \(check.timeout.shortDescription) from \(url)"
            case .connectTimeout:
                return "no connection within \(check.timeout.shortDescription) to \(url)"
            case .remoteConnectionClosed:
                return "\(url) closed the connection without an answer"
            default:
                return "\(url): \(error)"
            }
        }
        if error is CancellationError { return "cancelled" }
        // NIOSSL's errors, by their words (FloatIPChecks does not depend on NIOSSL directly).
        let words = String(describing: error)
        if words.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS handshake with \(url) failed: certificate not trusted (tls_verify is on)"
        }
        if words.hasPrefix("handshakeFailed") { return "TLS handshake with \(url) failed: \(words)" }
        // Connection errors (refused, reset, TLS) come from NIO and NIOSSL.
        return ConnectionErrorText.describe(error, endpoint: url)
    }
}
