import Foundation
import Synchronization

/// Cloudflare's DNS records API (v4) as the API reference describes it, request for request:
/// `GET /client/v4/zones/{zone}/dns_records?type=…&name=…` (exact name match, paginated envelope
/// with `result_info`), `POST /client/v4/zones/{zone}/dns_records` (create: `type`, `name`,
/// `content`, `ttl`, `proxied`), `PATCH /client/v4/zones/{zone}/dns_records/{id}` (only the fields
/// given change). Bearer token; every answer is the envelope `{"success","errors","messages","result"}`
/// with Cloudflare's error codes: 10000 "Authentication error" (403) for a bad token, 7003/7000 for
/// an unknown zone (400), 81044 "Record does not exist." (404), 9005/9021 validation errors (400),
/// 971 with `Retry-After` for the rate limit (429, injected by the test).
public final class CloudflareFake: Sendable {
    public static let token = "cf-test-token-0123456789abcdefABCDEF01"
    public static let zone = "023e105f4ecef8ad9ca31a8372d0c353"

    public struct Record: Sendable, Equatable {
        public var id: String
        public var type: String
        public var name: String
        public var content: String
        public var ttl: Int
        public var proxied = false
    }

    public struct State: Sendable {
        public var records: [Record] = []
        public var nextID = 1
        public var writes = 0
    }

    public let state = Mutex(State())

    public init(records: [(type: String, name: String, content: String)] = []) {
        state.withLock { state in
            for record in records { state.records.append(Self.make(&state, record.type, record.name, record.content, ttl: 300)) }
        }
    }

    /// The contents of `name`'s records of `type`.
    public func contents(_ type: String, _ name: String) -> [String] {
        state.withLock { $0.records.filter { $0.type == type && $0.name == name }.map(\.content) }
    }

    public func record(_ type: String, _ name: String) -> Record? {
        state.withLock { $0.records.first { $0.type == type && $0.name == name } }
    }

    /// Changes a record's content behind the mover's back (another node, an operator).
    public func set(_ type: String, _ name: String, to content: String) {
        state.withLock { state in
            for index in state.records.indices where state.records[index].type == type && state.records[index].name == name {
                state.records[index].content = content
            }
        }
    }

    public func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.count >= 5, parts[0] == "client", parts[1] == "v4", parts[2] == "zones", parts[4] == "dns_records"
        else { return nil }
        guard request.header("Authorization") == "Bearer \(Self.token)" else {
            return failure(403, [(10000, "Authentication error")])
        }
        guard parts[3] == Self.zone else {
            return failure(400, [
                (7003, "Could not route to /zones/\(parts[3])/dns_records, perhaps your object identifier is invalid?"),
                (7000, "No route for that URI"),
            ])
        }
        switch (request.method, parts.count) {
        case ("GET", 5): return list(request)
        case ("POST", 5): return create(request)
        case ("PATCH", 6): return patch(parts[5], request)
        default: return nil
        }
    }

    private func list(_ request: FakeRequest) -> FakeResponse {
        var filters: [String: String] = [:]
        for pair in request.query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { filters[parts[0]] = parts[1] }
        }
        return state.withLock { state in
            let found = state.records.filter { record in
                (filters["type"].map { $0 == record.type } ?? true) && (filters["name"].map { $0 == record.name } ?? true)
            }
            return .json(200, [
                "success": true, "errors": [Any](), "messages": [Any](), "result": found.map(json),
                "result_info": ["page": 1, "per_page": 100, "count": found.count, "total_count": found.count, "total_pages": 1],
            ])
        }
    }

    private func create(_ request: FakeRequest) -> FakeResponse {
        guard let body = jsonBody(request) else { return failure(400, [(9207, "Request body is invalid.")]) }
        guard let type = body["type"] as? String, let name = body["name"] as? String, let content = body["content"] as? String
        else { return failure(400, [(9000, "DNS name is invalid.")]) }
        let ttl = (body["ttl"] as? Int) ?? 1
        if let problem = validate(type: type, content: content, ttl: ttl) { return problem }
        return state.withLock { state in
            let record = Self.make(&state, type, name, content, ttl: ttl)
            state.records.append(record)
            state.writes += 1
            return success(record)
        }
    }

    private func patch(_ id: String, _ request: FakeRequest) -> FakeResponse {
        guard let body = jsonBody(request) else { return failure(400, [(9207, "Request body is invalid.")]) }
        return state.withLock { state in
            guard let index = state.records.firstIndex(where: { $0.id == id }) else {
                return failure(404, [(81044, "Record does not exist.")])
            }
            var record = state.records[index]
            if let content = body["content"] as? String { record.content = content }
            if let ttl = body["ttl"] as? Int { record.ttl = ttl }
            if let problem = validate(type: record.type, content: record.content, ttl: record.ttl) { return problem }
            state.records[index] = record
            state.writes += 1
            return success(record)
        }
    }

    private func validate(type: String, content: String, ttl: Int) -> FakeResponse? {
        let valid = type == "A" ? IPv4Address(content) : type == "AAAA" ? IPv6Address(content) : true
        if !valid {
            return failure(400, [(9005, "Content for \(type) record is invalid. Must be a valid IP\(type == "A" ? "v4" : "v6") address.")])
        }
        guard ttl == 1 || (60...86_400).contains(ttl) else {
            return failure(400, [(9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.")])
        }
        return nil
    }

    private func jsonBody(_ request: FakeRequest) -> [String: Any]? {
        guard request.header("Content-Type")?.hasPrefix("application/json") == true else { return nil }
        return request.json
    }

    private static func make(_ state: inout State, _ type: String, _ name: String, _ content: String, ttl: Int) -> Record {
        defer { state.nextID += 1 }
        return Record(id: String(format: "372e67954025e0ba6aaa6d586b9e%04x", state.nextID), type: type, name: name, content: content, ttl: ttl)
    }

    private func json(_ record: Record) -> [String: Any] {
        [
            "id": record.id, "zone_id": Self.zone, "zone_name": "example.com", "name": record.name, "type": record.type,
            "content": record.content, "proxiable": true, "proxied": record.proxied, "ttl": record.ttl,
            "settings": [String: Any](), "meta": [String: Any](), "comment": NSNull(), "tags": [Any](),
            "created_on": "2014-01-01T05:20:00.12345Z", "modified_on": "2014-01-01T05:20:00.12345Z",
        ]
    }

    private func success(_ record: Record) -> FakeResponse {
        .json(200, ["success": true, "errors": [Any](), "messages": [Any](), "result": json(record)])
    }

    private func failure(_ status: Int, _ errors: [(Int, String)]) -> FakeResponse {
        Self.failure(status, errors)
    }

    /// An error envelope as Cloudflare sends it.
    public static func failure(_ status: Int, _ errors: [(Int, String)], headers: [(String, String)] = []) -> FakeResponse {
        .json(status, [
            "success": false, "errors": errors.map { ["code": $0.0, "message": $0.1] }, "messages": [Any](),
            "result": NSNull(),
        ], headers: headers)
    }
}

/// Text IPv4/IPv6 address checks for the fake's validation (inet_pton).
private func IPv4Address(_ text: String) -> Bool {
    var storage = in_addr()
    return inet_pton(AF_INET, text, &storage) == 1
}

private func IPv6Address(_ text: String) -> Bool {
    var storage = in6_addr()
    return inet_pton(AF_INET6, text, &storage) == 1
}
