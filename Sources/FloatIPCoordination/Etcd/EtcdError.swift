import FloatIPCore

/// Why an etcd call failed. Every case names the endpoint and the call (`lease/grant`); none
/// carries a password or a token.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection, or the connection broke (`connection refused`, a reset).
    case unreachable(endpoint: String, call: String, detail: String)
    /// No complete answer within `after`.
    case timedOut(endpoint: String, call: String, after: Duration)
    /// etcd answered with an error: the HTTP status, etcd's message and its gRPC code, when given.
    case refused(endpoint: String, call: String, status: Int, message: String, code: Int?)
    /// The user or password was rejected by `auth/authenticate`.
    case authenticationFailed(endpoint: String, user: String, message: String)
    /// The answer is not what etcd's gateway sends (not JSON, a field missing or of the wrong type).
    case malformed(endpoint: String, call: String, detail: String)
    /// The call's time ran out before any endpoint was tried (or no endpoint is configured).
    case noEndpointTried(call: String)

    public var description: String {
        switch self {
        case .unreachable(let endpoint, let call, let detail):
            "etcd \(endpoint) unreachable for \(call): \(detail)"
        case .timedOut(let endpoint, let call, let after):
            "etcd \(endpoint) did not answer \(call) within \(after.shortDescription)"
        case .refused(let endpoint, let call, let status, let message, let code):
            "etcd \(endpoint) refused \(call): HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
                + (code.map { " (gRPC code \($0))" } ?? "")
        case .authenticationFailed(let endpoint, let user, let message):
            "etcd \(endpoint) rejected user \(user): \(message)"
        case .malformed(let endpoint, let call, let detail):
            "etcd \(endpoint) sent a malformed answer to \(call): \(detail)"
        case .noEndpointTried(let call):
            "etcd: no endpoint tried for \(call) (no endpoints, or no time left)"
        }
    }

    /// The endpoint the error is about, if any.
    public var endpoint: String? {
        switch self {
        case .unreachable(let endpoint, _, _), .timedOut(let endpoint, _, _), .refused(let endpoint, _, _, _, _),
            .authenticationFailed(let endpoint, _, _), .malformed(let endpoint, _, _):
            endpoint
        case .noEndpointTried: nil
        }
    }

    /// Worth trying the next endpoint: the member is down, slow, without quorum (5xx) or not etcd.
    var triesNextEndpoint: Bool {
        switch self {
        case .unreachable, .timedOut, .malformed: true
        case .refused(_, _, let status, _, _): status >= 500 || status == 404
        case .authenticationFailed, .noEndpointTried: false
        }
    }
}
