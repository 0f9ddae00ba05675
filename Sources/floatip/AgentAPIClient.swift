import AsyncHTTPClient
import FloatIPAgent
import Foundation
import NIOCore
import NIOPosix

/// The CLI's side of the agent's HTTP API (docs/api.md): one request per call, errors in words.
struct AgentAPIClient: Sendable {
    /// Where the agent's API is.
    enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        /// `127.0.0.1:7454`.
        case tcp(String)
        /// `/run/floatip/api.sock`.
        case socket(String)

        var description: String {
            switch self {
            case .tcp(let listen): listen
            case .socket(let path): path
            }
        }

        /// The URL of `path` there (AsyncHTTPClient's `http+unix` scheme takes the socket's path
        /// percent-encoded as the host).
        func url(_ path: String) -> String {
            switch self {
            case .tcp(let listen): return "http://\(listen)\(path)"
            case .socket(let socket):
                let host = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
                return "http+unix://\(host)\(path)"
            }
        }
    }

    let endpoint: Endpoint
    /// Sent only over TCP.
    let token: String?

    /// Where the agent is, for messages.
    var listen: String { endpoint.description }

    /// `GET /v1/status`.
    func status() async throws(AgentAPIError) -> AgentStatus {
        try decode(AgentStatus.self, await send("GET", "/v1/status", body: nil))
    }

    /// `POST /v1/maintenance`.
    func maintenance(_ request: MaintenanceRequest) async throws(AgentAPIError) -> MaintenanceResponse {
        try decode(MaintenanceResponse.self, await send("POST", "/v1/maintenance", body: encode(request)))
    }

    /// `POST /v1/switchover`; returns the target.
    func switchover(_ request: SwitchoverRequest) async throws(AgentAPIError) -> SwitchoverResponse {
        try decode(SwitchoverResponse.self, await send("POST", "/v1/switchover", body: encode(request)))
    }

    /// Sends one request; a 2xx answer's body, or the agent's error sentence.
    func send(_ method: String, _ path: String, body: Data?) async throws(AgentAPIError) -> Data {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        var request = HTTPClientRequest(url: endpoint.url(path))
        request.method = .init(rawValue: method)
        if let token, case .tcp = endpoint { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let answer: Result<(status: UInt, data: Data), AgentAPIError>
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            let buffer = try await response.body.collect(upTo: 16 << 20)
            answer = .success((response.status.code, Data(buffer.readableBytesView)))
        } catch {
            answer = .failure(.unreachable(listen: listen, reason: Self.describe(error)))
        }
        try? await client.shutdown()
        let (status, data) = try answer.get()
        guard (200..<300).contains(status) else {
            let message = (try? JSONDecoder().decode(APIErrorResponse.self, from: data))?.error
                ?? String(decoding: data, as: UTF8.self)
            throw .refused(status: Int(status), message: message)
        }
        return data
    }

    private func encode(_ value: some Encodable) -> Data {
        (try? JSONEncoder().encode(value)) ?? Data()
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(AgentAPIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .unreadable(listen: listen, reason: "\(error)")
        }
    }

    /// A connection failure in the system's words (`connection refused`).
    static func describe(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return describe(first.error)
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "timed out connecting"
            case .deadlineExceeded, .readTimeout: return "no answer in time"
            case .remoteConnectionClosed: return "the agent closed the connection"
            default: return "\(client)"
            }
        }
        return "\(error)"
    }
}

/// Why a command could not do what the agent's API was asked.
enum AgentAPIError: Error, CustomStringConvertible {
    /// No connection (the agent is not running, or listens elsewhere).
    case unreachable(listen: String, reason: String)
    /// The agent answered with an error status and this sentence.
    case refused(status: Int, message: String)
    /// The agent's answer was not what this version of floatip expects.
    case unreadable(listen: String, reason: String)

    var description: String {
        switch self {
        case .unreachable(let listen, let reason) where reason.contains("permission denied"):
            "cannot reach the agent at \(listen): \(reason) — run as root or as a member of group floatip, "
                + "or read status over TCP with --api 127.0.0.1:7454"
        case .unreachable(let listen, let reason):
            "cannot reach the agent at \(listen): \(reason) — is floatip agent running?"
        case .refused(let status, let message):
            status == 401 ? "the agent refused the request (401 unauthorized): \(message)" : message
        case .unreadable(let listen, let reason):
            "the agent at \(listen) sent an answer this floatip cannot read: \(reason)"
        }
    }
}
