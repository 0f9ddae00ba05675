import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// One request as a fake provider saw it.
public struct FakeRequest: Sendable {
    public var method: String
    public var path: String
    public var query: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The request's `Host` (HTTP/1.1 carries it as a header; Hummingbird moves it to the authority).
    public var host: String = ""

    public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as a JSON object, nil when it is not one.
    public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    /// The body as form fields.
    public var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
    /// Path segments after splitting on `/`.
    public var segments: [String] { path.split(separator: "/").map(String.init) }
}

/// What a fake answers.
public struct FakeResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)] = []
    public var body: [UInt8] = []
    /// Sleep this long before answering (a slow provider).
    public var delay: Duration? = nil

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    public static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> FakeResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return FakeResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }

    public static func raw(_ status: Int, _ text: String, contentType: String = "application/json") -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}

/// A fault the test queues: the next matching request gets it instead of the real answer.
public struct FakeFault: Sendable {
    /// Which requests it applies to (`"GET"`, path suffix); nil matches any.
    public var method: String? = nil
    public var pathContains: String? = nil
    public var response: FakeResponse

    public init(method: String? = nil, pathContains: String? = nil, response: FakeResponse) {
        self.method = method
        self.pathContains = pathContains
        self.response = response
    }
}

/// A local HTTP server (Hummingbird, 127.0.0.1, a free port) that a provider fake answers from.
/// It records every request; requests the fake does not recognise are recorded separately and
/// answered 404, and every test checks that list is empty. Faults queued with `inject` come first.
public final class FakeProviderServer: Sendable {
    public typealias Handler = @Sendable (FakeRequest) async -> FakeResponse?
    /// The TCP port (0 when it listens on a Unix socket).
    public let port: Int
    private let task: Task<Void, Never>
    private let group: ServiceGroup
    private let log: FakeLog

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [FakeRequest] { log.state.withLock { $0.requests } }
    public var unrecognised: [String] { log.state.withLock { $0.unrecognised } }

    /// Requests that were `method` on a path containing `fragment`.
    public func count(_ method: String, _ fragment: String) -> Int {
        requests.filter { $0.method == method && $0.path.contains(fragment) }.count
    }

    /// Queues a fault for the next request it matches.
    public func inject(_ fault: FakeFault) { log.state.withLock { $0.faults.append(fault) } }

    private init(port: Int, task: Task<Void, Never>, group: ServiceGroup, log: FakeLog) {
        self.port = port
        self.task = task
        self.group = group
        self.log = log
    }

    /// Starts a server on 127.0.0.1 and a free port, or on the Unix socket `unixSocket` (which a
    /// relay in a lab namespace forwards to).
    public static func start(unixSocket: String? = nil, _ handler: @escaping Handler) async throws -> FakeProviderServer {
        let log = FakeLog()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            // HTTP/1.1's Host arrives as the authority, not among the fields: put it back (SigV4 signs it).
            let host = request.head.authority.map { [("Host", $0)] } ?? []
            let seen = FakeRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                headers: host + request.headers.map { ($0.name.rawName, $0.value) }, body: Array(body.readableBytesView),
                host: request.head.authority ?? "")
            let answer: FakeResponse
            if let fault = log.record(seen) {
                answer = fault
            } else if let handled = await handler(seen) {
                answer = handled
            } else {
                log.state.withLock { $0.unrecognised.append("\(seen.method) \(seen.path)") }
                answer = .json(404, ["message": "the fake does not recognise \(seen.method) \(seen.path)"])
            }
            if let delay = answer.delay { try? await Task.sleep(for: delay) }
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let field = HTTPFields.Element.Name(name) { fields.append(HTTPFields.Element(name: field, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let (ready, readiness) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: unixSocket.map { .unixDomainSocket(path: $0) } ?? .hostname("127.0.0.1", port: 0), serverName: "fake"),
            onServerRunning: { channel in readiness.yield(unixSocket == nil ? channel.localAddress?.port ?? -1 : 0) },
            logger: Logger(label: "fake", factory: { _ in SwiftLogNoOpLogHandler() }))
        // Run as a service, stopped gracefully: a server task cancelled while it accepts a
        // connection drops that connection's channel unused, and NIO's precondition on its writer
        // then ends the test process (seen when a client connected as a test stopped its fake).
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: app)], logger: Logger(label: "fake", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task {
            try? await group.run()
            readiness.finish()
        }
        for await port in ready where port >= 0 {
            return FakeProviderServer(port: port, task: task, group: group, log: log)
        }
        await group.triggerGracefulShutdown()
        await task.value
        throw FakeServerError.didNotStart
    }

    /// Stops the server (no new connections; open ones end after their request, and are cut
    /// after a second) and waits for it.
    public func stop() async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let cutoff = Task {
            try? await Task.sleep(for: .seconds(1))
            task.cancel()
        }
        await task.value
        cutoff.cancel()
    }
}

public enum FakeServerError: Error { case didNotStart }

/// What the server saw, shared between the server object and its responder.
private final class FakeLog: Sendable {
    let state = Mutex<(requests: [FakeRequest], unrecognised: [String], faults: [FakeFault])>(([], [], []))

    /// Records `request` and takes the first queued fault that matches it, if any.
    func record(_ request: FakeRequest) -> FakeResponse? {
        state.withLock { state in
            state.requests.append(request)
            guard let index = state.faults.firstIndex(where: { fault in
                (fault.method == nil || fault.method == request.method)
                    && (fault.pathContains.map { request.path.contains($0) } ?? true)
            }) else { return nil }
            return state.faults.remove(at: index).response
        }
    }
}
