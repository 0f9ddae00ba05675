import AsyncHTTPClient
import FloatIPCore
import FloatIPLinux
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A client of etcd v3's JSON gateway (`POST /v3/...`), over several members.
///
/// A call goes to the member that answered last; when that one is down, slow, without quorum
/// (5xx) or answers something that is not etcd's JSON, the next member is tried, within the call's
/// time budget. With credentials, the client authenticates first (`auth/authenticate`) and sends
/// the token raw in `Authorization` (etcd takes no `Bearer`); a 401 or an answer that names the
/// token (expired tokens, etcd's restart) makes it authenticate again and repeat the call once.
///
/// Every failure is an `EtcdError` that names the member and the call. Answers are decoded into
/// the gateway's shapes (EtcdMessages.swift); nothing in them can crash the client.
///
/// **Life.** The client owns an `HTTPClient` on NIO's shared event loops: call `shutdown()` when done.
public actor EtcdClient {
    public nonisolated let settings: EtcdClientSettings
    let http: HTTPClient
    /// The member that answered last (where the next call starts).
    private(set) var current = 0
    private var token: String?
    private var isShutDown = false

    /// The largest answer read (a range over one key, a lease; watch lines are bounded separately).
    static let answerLimit = 4 << 20

    /// A client for `settings`; reads the TLS files now. Throws when there is no endpoint or a file is unusable.
    public init(settings: EtcdClientSettings) throws(EtcdSetupError) {
        guard !settings.endpoints.isEmpty else { throw EtcdSetupError(field: "endpoints", message: "lists no etcd endpoint") }
        self.settings = settings
        let tls = try settings.tlsConfiguration()
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(max(1, settings.requestTimeout.nanoseconds))))
        // A refused connection is an answer: move to the next member now instead of retrying this one.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroup: NIOSingletons.posixEventLoopGroup, configuration: configuration)
    }

    deinit {
        // Non-blocking: the HTTP client keeps itself alive until its connections are closed.
        if !isShutDown { http.shutdown { _ in } }
    }

    /// Closes the connections. Calls made afterwards fail.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        try? await http.shutdown()
    }

    /// The endpoint the next call starts with.
    public var currentEndpoint: String { settings.endpoints[current] }

    /// One unary call, `POST /v3/<call>` with `request` as JSON, decoded as `Answer`.
    ///
    /// `timeout` bounds the whole call over every member tried (default: one `requestTimeout`);
    /// each attempt gets at most `requestTimeout` of it. Throws `EtcdError` (or `CancellationError`).
    public func call<Request: Encodable & Sendable, Answer: Decodable & Sendable>(
        _ call: String, _ request: Request, as answer: Answer.Type = Answer.self, timeout: Duration? = nil
    ) async throws -> Answer {
        let body = Array(try JSONEncoder().encode(request))
        let start = ContinuousClock.now
        let budget = timeout ?? settings.requestTimeout
        let count = settings.endpoints.count
        let first = current
        var lastError: EtcdError?
        for attempt in 0..<count {
            let left = budget - (ContinuousClock.now - start)
            guard left > .zero else { break }
            let index = (first + attempt) % count
            let endpoint = settings.endpoints[index]
            do {
                let bytes = try await authorized(endpoint, call, body, timeout: min(settings.requestTimeout, left))
                let decoded = try Self.decode(Answer.self, bytes, endpoint: endpoint, call: call)
                current = index
                return decoded
            } catch let error as EtcdError where error.triesNextEndpoint {
                lastError = error
                if current == index { current = (index + 1) % count }
            }
        }
        throw lastError ?? EtcdError.noEndpointTried(call: call)
    }

    // MARK: Authentication

    /// One attempt at one member, authenticating first when needed and once more on a token problem.
    private func authorized(_ endpoint: String, _ call: String, _ body: [UInt8], timeout: Duration) async throws
        -> [UInt8]
    {
        guard let credentials = settings.credentials else {
            return try await exchange(endpoint, call, body, token: nil, timeout: timeout)
        }
        let deadline = ContinuousClock.now + timeout
        let token = try await currentToken(endpoint, credentials, deadline: deadline)
        do {
            return try await exchange(endpoint, call, body, token: token, timeout: deadline - ContinuousClock.now)
        } catch let error as EtcdError where error.isTokenProblem {
            self.token = nil
            let fresh = try await currentToken(endpoint, credentials, deadline: deadline)
            return try await exchange(endpoint, call, body, token: fresh, timeout: deadline - ContinuousClock.now)
        }
    }

    /// The token for authenticated calls, fetched from `endpoint` when there is none.
    func currentToken(_ endpoint: String, _ credentials: EtcdCredentials, deadline: ContinuousClock.Instant)
        async throws -> String
    {
        if let token { return token }
        let request = AuthenticateRequest(name: credentials.user, password: credentials.password)
        let bytes: [UInt8]
        do {
            bytes = try await exchange(
                endpoint, "auth/authenticate", Array(try JSONEncoder().encode(request)), token: nil,
                timeout: deadline - ContinuousClock.now)
        } catch EtcdError.refused(_, _, let status, let message, _) where status < 500 && status != 404 {
            throw EtcdError.authenticationFailed(endpoint: endpoint, user: credentials.user, message: message)
        }
        let answer = try Self.decode(AuthenticateMessage.self, bytes, endpoint: endpoint, call: "auth/authenticate")
        guard let fresh = answer.token, !fresh.isEmpty else {
            throw EtcdError.malformed(endpoint: endpoint, call: "auth/authenticate", detail: "no `token` in the answer")
        }
        token = fresh
        return fresh
    }

    /// Forgets the token (the next call authenticates again).
    func dropToken() { token = nil }

    /// Sets the token as if etcd had issued it (tests: a token etcd no longer knows).
    func replaceTokenForTesting(_ fake: String) { token = fake }

    // MARK: One exchange

    /// One request to one member, bounded by `timeout` (head and body): the body of a 200 answer, else
    /// `EtcdError.refused` with etcd's message.
    private func exchange(_ endpoint: String, _ call: String, _ body: [UInt8], token: String?, timeout: Duration)
        async throws -> [UInt8]
    {
        guard timeout > .zero else { throw EtcdError.timedOut(endpoint: endpoint, call: call, after: .zero) }
        var request = HTTPClientRequest(url: endpoint + "/v3/" + call)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: token) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        let http = self.http
        let limit = Self.answerLimit
        let outcome = await withDeadline(timeout) { () -> Result<(status: Int, body: [UInt8]), any Error> in
            do {
                let response = try await http.execute(prepared, timeout: .nanoseconds(max(1, timeout.nanoseconds)))
                var bytes: [UInt8] = []
                for try await chunk in response.body {
                    bytes.append(contentsOf: chunk.readableBytesView)
                    if bytes.count > limit { throw AnswerTooLarge() }
                }
                return .success((Int(response.status.code), bytes))
            } catch {
                return .failure(error)
            }
        }
        guard let outcome else {
            try Task.checkCancellation()
            throw EtcdError.timedOut(endpoint: endpoint, call: call, after: timeout)
        }
        switch outcome {
        case .failure(let error):
            try Task.checkCancellation()
            throw Self.transportError(error, endpoint: endpoint, call: call, timeout: timeout)
        case .success(let answer) where answer.status == 200:
            return answer.body
        case .success(let answer):
            throw Self.refusal(status: answer.status, body: answer.body, endpoint: endpoint, call: call)
        }
    }

    struct AnswerTooLarge: Error {}

    /// `EtcdError.refused` from an error answer: etcd's `message` (or `error`), else the start of the body.
    static func refusal(status: Int, body: [UInt8], endpoint: String, call: String) -> EtcdError {
        let parsed = try? JSONDecoder().decode(EtcdErrorBody.self, from: Data(body))
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let message = parsed?.message ?? parsed?.error ?? text
        return .refused(endpoint: endpoint, call: call, status: status, message: message, code: parsed?.code)
    }

    /// Decodes a 200 answer; anything else than the expected shape is `malformed`.
    static func decode<Answer: Decodable>(_ type: Answer.Type, _ bytes: [UInt8], endpoint: String, call: String)
        throws(EtcdError) -> Answer
    {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .malformed(endpoint: endpoint, call: call, detail: describeDecoding(error, bytes))
        }
    }

    /// Words for a transport failure.
    static func transportError(_ error: any Error, endpoint: String, call: String, timeout: Duration) -> EtcdError {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout:
                return .timedOut(endpoint: endpoint, call: call, after: timeout)
            case .remoteConnectionClosed:
                // Over TLS, this is how etcd with --client-cert-auth refuses a client it does not trust.
                let hint = endpoint.hasPrefix("https:")
                    ? " (over https etcd does so when it wants a client certificate it trusts: check cert_file and key_file)"
                    : ""
                return .unreachable(endpoint: endpoint, call: call, detail: "closed the connection without an answer" + hint)
            default:
                return .unreachable(endpoint: endpoint, call: call, detail: "\(error)")
            }
        }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            let untrusted = "\(error)".contains("CERTIFICATE_VERIFY_FAILED")
            return .unreachable(
                endpoint: endpoint, call: call,
                detail: untrusted
                    ? "TLS handshake failed: etcd's certificate is not trusted (check ca_file: the CA that signed the "
                        + "members' certificates, for the address in the endpoint)"
                    : "TLS handshake failed: \(error)")
        }
        if error is AnswerTooLarge {
            return .malformed(endpoint: endpoint, call: call, detail: "the answer is over \(answerLimit) bytes")
        }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return transportError(first.error, endpoint: endpoint, call: call, timeout: timeout)
        }
        if let error = error as? IOError {
            return .unreachable(endpoint: endpoint, call: call, detail: String(cString: strerror(error.errnoCode)))
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return .timedOut(endpoint: endpoint, call: call, after: timeout)
        }
        return .unreachable(endpoint: endpoint, call: call, detail: "\(error)")
    }
}

/// `the field `ID` is missing`, `not JSON: <start of the text>`.
func describeDecoding(_ error: any Error, _ bytes: [UInt8]) -> String {
    let start = String(decoding: bytes.prefix(80), as: UTF8.self)
    guard let error = error as? DecodingError else { return "not JSON: `\(start)`" }
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty:
        // Foundation also says so for a number out of range; tell the two apart.
        let isJSON = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        return isJSON ? "a value out of range or of the wrong kind in `\(start)`" : "not JSON: `\(start)`"
    case .dataCorrupted(let context):
        return "`\(path(context))`: \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "`\(path(context)).\(key.stringValue)` is missing"
    case .typeMismatch(_, let context), .valueNotFound(_, let context):
        return "`\(path(context))` has the wrong type: \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}

extension EtcdError {
    /// The call failed because of the token: none sent, expired, or from before etcd's auth store changed.
    var isTokenProblem: Bool {
        guard case .refused(_, _, let status, let message, _) = self else { return false }
        return status == 401 || message.contains("invalid auth token") || message.contains("user name is empty")
            || message.contains("auth store is old") || message.contains("token is not provided")
    }
}
