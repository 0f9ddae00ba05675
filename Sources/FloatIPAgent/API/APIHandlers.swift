import FloatIPCore
import Foundation
import Hummingbird
import Logging

/// The API's routes over one agent. Mutating requests are authorised before their body is read,
/// so a request without the token changes nothing and learns nothing about the body's problems.
struct APIHandlers: Sendable {
    let agent: AgentCore
    let authorization: APIAuthorization
    /// Whether the routes serve the Unix socket: its peers were let in by `APIAccessMiddleware`
    /// and need no token (none is ever sent over the socket).
    let overSocket: Bool
    let eventLog: EventLog?
    let metrics: AgentMetrics
    let logger: Logger

    /// The largest request body read (the requests are a few dozen bytes).
    static let maxBody = 64 * 1024

    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/status") { _, _ in try await status() }
        router.post("/v1/maintenance") { request, context in await maintenance(request, context) }
        router.post("/v1/switchover") { request, context in await switchover(request, context) }
        router.get("/metrics") { _, _ in await metricsText() }
        router.get("/") { _, _ in await statusPage() }
    }

    func status() async throws -> Response {
        .json(await agent.status())
    }

    func maintenance(_ request: Request, _ context: APIRequestContext) async -> Response {
        var request = request
        do {
            try authorize(request)
            let body = try await decode(MaintenanceRequest.self, from: &request, example: #"{"on": true, "group": "web"}"#)
            // The groups of now: a reload may have added or removed some.
            let groups = await agent.groupNames()
            if let group = body.group, !groups.contains(group) { throw APIFailure.unknownGroup(group, groups) }
            // Recorded first, so the log shows the command before the transitions it causes.
            let scope = body.group.map { "group \($0)" } ?? "the whole node"
            logger.notice("maintenance \(body.on ? "on" : "off") for \(scope), by API request from \(context.requester ?? "local")")
            eventLog?.append("maintenance", [
                "on": .bool(body.on), "group": body.group.map(EventLog.Value.string) ?? .null, "source": .string("api"),
                "remote": context.requester.map(EventLog.Value.string) ?? .null,
            ])
            await agent.setMaintenance(body.on, group: body.group)
            return .json(MaintenanceResponse(on: body.on, group: body.group))
        } catch {
            return error.response
        }
    }

    func switchover(_ request: Request, _ context: APIRequestContext) async -> Response {
        var request = request
        do {
            try authorize(request)
            let body = try await decode(SwitchoverRequest.self, from: &request, example: #"{"group": "web", "to": "web2"}"#)
            var fields: [String: EventLog.Value] = [
                "group": .string(body.group), "to": body.to.map(EventLog.Value.string) ?? .null, "source": .string("api"),
                "remote": context.requester.map(EventLog.Value.string) ?? .null,
            ]
            let target: String
            do {
                target = try await agent.switchover(group: body.group, to: body.to)
            } catch {
                fields["error"] = .string(error.description)
                eventLog?.append("switchover", fields)
                switch error {
                case .unknownGroup(let group): throw APIFailure.unknownGroup(group, await agent.groupNames())
                case .refused, .vrrp, .anycast: throw APIFailure.conflict(error.description)
                }
            }
            fields["target"] = .string(target)
            eventLog?.append("switchover", fields)
            logger.notice("switchover of \(body.group) to \(target), by API request from \(context.requester ?? "local")")
            return .json(SwitchoverResponse(target: target))
        } catch {
            return error.response
        }
    }

    func metricsText() async -> Response {
        let text = MetricsExposition.render(await agent.status(), metrics.snapshot())
        return Response(
            status: .ok, headers: [.contentType: MetricsExposition.contentType],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func statusPage() async -> Response {
        let html = StatusPage.render(await agent.status())
        return Response(
            status: .ok,
            headers: [
                .contentType: StatusPage.contentType, .cacheControl: "no-store",
                .contentSecurityPolicy: StatusPage.contentSecurityPolicy,
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    // MARK: Helpers

    func authorize(_ request: Request) throws(APIFailure) {
        if overSocket { return }
        switch authorization.check(request.headers[.authorization]) {
        case .allowed: return
        case .notConfigured: throw .forbidden
        case .denied(let why): throw .unauthorized(why)
        }
    }

    /// The body as `T`, or a 400 that names the problem (not JSON, a missing field, a wrong type).
    func decode<T: Decodable>(_ type: T.Type, from request: inout Request, example: String) async throws(APIFailure) -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.maxBody)
        } catch {
            throw .badRequest("the body is larger than \(Self.maxBody) bytes; send e.g. \(example)")
        }
        guard buffer.readableBytes > 0 else { throw .badRequest("the body is empty; send JSON such as \(example)") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw .badRequest(Self.describe(error) + "; send e.g. \(example)")
        } catch {
            throw .badRequest("the body is not valid JSON (\(error)); send e.g. \(example)")
        }
    }

    /// A decoding error in words that name the field.
    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field `\(field(context.codingPath + [key]))`"
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let name = field(context.codingPath)
            let what = expected == Bool.self ? "true or false" : expected == String.self ? "a string" : "\(expected)"
            return name.isEmpty ? "the body must be a JSON object" : "field `\(name)` must be \(what)"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "the body is not valid JSON" + (underlying.map { " (\($0))" } ?? "")
        @unknown default:
            return "the body could not be read: \(error)"
        }
    }
}

/// Why the API refuses a request: its status and one sentence.
enum APIFailure: Error {
    case badRequest(String)
    case unauthorized(String)
    case forbidden
    case unknownGroup(String, [String])
    case conflict(String)

    var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .unknownGroup: .notFound
        case .conflict: .conflict
        }
    }

    var message: String {
        switch self {
        case .badRequest(let why), .unauthorized(let why), .conflict(let why): why
        case .forbidden:
            "mutating requests over TCP are refused: no API token is configured; set api.token_file in the agent's "
                + "config, or use the agent's Unix socket (api.socket) as root or a member of group floatip"
        case .unknownGroup(let group, let groups):
            "no group named \(group) on this node (groups: \(groups.joined(separator: ", ")))"
        }
    }
}

extension Error {
    /// The response for a refused request (anything other than an `APIFailure` is a 500).
    fileprivate var response: Response {
        guard let failure = self as? APIFailure else {
            return .json(APIErrorResponse(error: "internal error: \(self)"), status: .internalServerError)
        }
        var response = Response.json(APIErrorResponse(error: failure.message), status: failure.status)
        if case .unauthorized = failure { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

extension Response {
    /// `value` as JSON (keys sorted, so the output is stable).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
