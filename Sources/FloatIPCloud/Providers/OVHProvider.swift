import Crypto
import FloatIPCore
import Foundation
import Synchronization

/// `mover: ovh`: an OVHcloud failover (Additional) IP, moved between dedicated servers (python-ovh,
/// Ansible's `ovh_ip_failover`).
///
/// Every call is signed: `X-Ovh-Application`, `X-Ovh-Consumer`, `X-Ovh-Timestamp` (the server's
/// clock: `GET /auth/time` once, the offset kept) and `X-Ovh-Signature` = `"$1$"` + hex SHA-1 of
/// `AS+CK+METHOD+URL+BODY+TIMESTAMP` joined with `+`. Holder from `GET /ip/{ip}` → `routedTo.serviceName`.
/// Claim: waits for any move task already pending on the IP (`GET /ip/{ip}/task?function=…&status=…`:
/// a claim cut short by its timeout leaves one), reads again, then `POST /ip/{ip}/move`
/// `{"to": service_name}` and polls `GET /ip/{ip}/task/{id}` until `done` (tens of seconds to
/// minutes). No detach: release leaves the routing.
public struct OVHProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        /// The IP block as OVH names it (`203.0.113.5/32`).
        public var block: String
        public var serviceName: String
        public var applicationKey: String
        /// The API's base URL from `api` (nil when `endpoint` is set).
        public var apiBase: String?
    }

    /// OVHcloud's API endpoints by python-ovh's names.
    public static let apis = [
        "ovh-eu": "https://eu.api.ovh.com/1.0", "ovh-ca": "https://ca.api.ovh.com/1.0", "ovh-us": "https://api.us.ovhcloud.com/1.0",
    ]

    public static let kind = MoverKind.ovh
    public static let name = "OVHcloud"
    public static let defaultEndpoint = "https://eu.api.ovh.com/1.0"
    /// A move takes tens of seconds to minutes.
    public static let defaultClaimTimeout = Duration.seconds(300)
    public static let defaultRequestTimeout = Duration.seconds(30)
    public static let defaultPollInterval = Duration.seconds(5)
    public static let credentials: [(name: String, what: String)] = [
        ("application_secret", "OVH application secret"), ("consumer_key", "OVH consumer key"),
    ]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let ip = check.required("ip", "the failover IP or block, e.g. `203.0.113.5` or `203.0.113.0/30`")
        let service = check.required("service_name", "this server's service name, e.g. `ns1234567.ip-203-0-113.eu`")
        let key = check.required("application_key", "the application key (not secret)")
        var api: String?
        if let name = check.optional("api") {
            api = apis[name]
            if api == nil { check.report("api", "`\(name)` is not one of \(apis.keys.sorted().joined(separator: ", "))") }
        }
        if check.options["endpoint"] != nil, check.options["api"] != nil {
            check.report("api", "set either `api` (ovh-eu, ovh-ca, ovh-us) or `endpoint` (a URL), not both")
        }
        var block: String?
        if let ip {
            block = ip.contains("/") ? ip : ip + (ip.contains(":") ? "/128" : "/32")
            if case .failure = IPPrefix.parse(block ?? "") {
                check.report("ip", "`\(ip)` is not an address or a block (`203.0.113.5`, `203.0.113.0/30`)")
                block = nil
            }
        }
        guard let block, let service, let key else { return nil }
        return Settings(
            block: block, serviceName: service, applicationKey: key,
            apiBase: check.options["endpoint"] == nil ? (api ?? defaultEndpoint) : nil)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        guard let message = JSONAnswer.message(in: response, [["message"]]) else { return nil }
        return JSONAnswer.message(in: response, [["errorCode"]]).map { "\($0): \(message)" } ?? message
    }

    /// `"$1$"` + hex SHA-1 of `secret+consumer+METHOD+url+body+timestamp`.
    public static func signature(
        secret: String, consumer: String, method: String, url: String, body: String, timestamp: String
    ) -> String {
        let digest = Insecure.SHA1.hash(data: Array([secret, consumer, method, url, body, timestamp].joined(separator: "+").utf8))
        return "$1$" + digest.map { String(format: "%02x", $0) }.joined()
    }

    let settings: Settings
    let context: CloudContext
    /// The server's clock minus ours, in seconds, once known.
    let offset = ClockOffset()

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.serviceName }
    public var address: String { "failover IP \(settings.block)" }

    private var base: String { settings.apiBase ?? context.endpoint }
    private var ipPath: String { "/ip/" + SigV4.encode(settings.block) }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply: JSONReply
        do {
            reply = try await call("GET", ipPath, deadline: deadline)
        } catch let error as ProviderError {
            throw error.namingOption("ip")
        }
        guard let routed = reply.answer["routedTo"] else {
            throw context.http.missing("`routedTo`", in: reply.answer, call: reply.call, status: reply.status)
        }
        guard let service = routed["serviceName"], service.isNull || service.string != nil else {
            throw context.http.missing("`routedTo.serviceName`", in: routed, call: reply.call, status: reply.status)
        }
        return ProviderState(holder: service.string)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        // A move still pending (a claim cut short by its timeout, a move by hand) would refuse a new one.
        var waited = false
        for status in ["todo", "doing", "init"] {
            let reply = try await call("GET", "\(ipPath)/task?function=genericMoveFloatingIp&status=\(status)", deadline: deadline)
            guard let ids = reply.answer.array else {
                throw context.http.missing("list of task ids", in: reply.answer, call: reply.call, status: reply.status)
            }
            for id in ids.compactMap(\.idText) {
                try await waitForTask(id, deadline: deadline, tolerateFailure: true)
                waited = true
            }
        }
        if waited, try await read(deadline: deadline).holder == settings.serviceName { return }
        let reply = try await call("POST", "\(ipPath)/move", body: ["to": settings.serviceName], deadline: deadline)
        guard let id = reply.answer["taskId"]?.idText else {
            throw context.http.missing("`taskId`", in: reply.answer, call: reply.call, status: reply.status)
        }
        try await waitForTask(id, deadline: deadline, tolerateFailure: false)
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool { false }

    /// Polls the IP task until `done`; `cancelled`, `customerError` and `ovhError` fail (unless
    /// `tolerateFailure`: someone else's task, after which the claim reads again).
    private func waitForTask(_ id: String, deadline: ContinuousClock.Instant, tolerateFailure: Bool) async throws {
        let path = "\(ipPath)/task/\(id)"
        let first = try await call("GET", path, deadline: deadline)
        let poller = ActionPoller(
            http: context.http, interval: context.pollInterval,
            read: { ($0["status"]?.string, $0["comment"]?.string) },
            done: tolerateFailure ? ["done", "cancelled", "customerError", "ovhError"] : ["done"],
            failed: ["cancelled", "customerError", "ovhError"])
        let offset = try await serverOffset(deadline: deadline)
        try await poller.wait(first: first.answer, call: first.call, deadline: deadline) {
            (try? self.signed("GET", path, body: nil, offset: offset)) ?? ProviderRequest(method: "GET", url: base + path)
        }
    }

    /// One signed call; the answer as JSON.
    private func call(
        _ method: String, _ path: String, body: [String: Any]? = nil, deadline: ContinuousClock.Instant
    ) async throws -> JSONReply {
        let offset = try await serverOffset(deadline: deadline)
        let request = try signed(method, path, body: body, offset: offset)
        return try await context.sendJSON(request, deadline: deadline)
    }

    private func signed(_ method: String, _ path: String, body: [String: Any]?, offset: Int) throws -> ProviderRequest {
        let url = base + path
        let bytes = body.map(ProviderHTTP.json) ?? []
        let timestamp = String(Int(Date().timeIntervalSince1970) + offset)
        let consumer = try context.secret("consumer_key")
        let signature = Self.signature(
            secret: try context.secret("application_secret"), consumer: consumer, method: method, url: url,
            body: String(decoding: bytes, as: UTF8.self), timestamp: timestamp)
        var headers = [
            ("X-Ovh-Application", settings.applicationKey), ("X-Ovh-Consumer", consumer), ("X-Ovh-Timestamp", timestamp),
            ("X-Ovh-Signature", signature), ("Accept", "application/json"),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return ProviderRequest(method: method, url: url, headers: headers, body: bytes)
    }

    /// The server's clock minus ours (`GET /auth/time`, unsigned), asked once.
    private func serverOffset(deadline: ContinuousClock.Instant) async throws -> Int {
        if let known = offset.seconds.withLock({ $0 }) { return known }
        let request = ProviderRequest(method: "GET", url: base + "/auth/time", headers: [("Accept", "application/json")])
        let reply = try await context.sendJSON(request, deadline: deadline)
        guard let seconds = reply.answer.number else {
            throw context.http.missing("server time (a number of seconds)", in: reply.answer, call: reply.call, status: reply.status)
        }
        let difference = Int(seconds) - Int(Date().timeIntervalSince1970)
        offset.seconds.withLock { $0 = difference }
        return difference
    }
}

/// The API server's clock minus ours, shared by the copies of one `OVHProvider`.
final class ClockOffset: Sendable {
    let seconds = Mutex<Int?>(nil)
}
