import Foundation
import Synchronization

/// Keystone v3 and Neutron's floating IPs as gophercloud and the API references describe them:
/// `POST /v3/auth/tokens` (application credential; `X-Subject-Token`, a catalog whose public
/// `network` endpoint is this fake under `/network`), `GET` and `PUT /network/v2.0/floatingips/{id}`
/// with `X-Auth-Token`, `revision_number` bumped on every change, `If-Match: revision_number=N`
/// answered 412 when stale, Neutron's error shape `{"NeutronError":{"type","message","detail"}}`.
final class OpenStackFake: Sendable {
    static let credentialID = "appcred-0001"
    static let secret = "openstack-fake-secret-0123456789"

    struct Floating {
        var port: String?
        var revision: Int
    }

    struct State {
        var base = ""
        var floating: [String: Floating] = [:]
        var ports: Set<String> = []
        var tokens: Set<String> = []
        var issued = 0
        /// Moves the floating IP to this port just before the next PUT is handled (a racing peer).
        var raceTo: String?
    }

    let state = Mutex(State())

    init(floating: [String: String?], ports: Set<String>) {
        state.withLock { state in
            state.floating = floating.mapValues { Floating(port: $0, revision: 1) }
            state.ports = ports
        }
    }

    func port(_ id: String) -> String? { state.withLock { $0.floating[id]?.port } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        if request.method == "POST", parts == ["v3", "auth", "tokens"] { return authenticate(request) }
        guard parts.count == 4, parts[0] == "network", parts[1] == "v2.0", parts[2] == "floatingips" else { return nil }
        let authorised = state.withLock { $0.tokens.contains(request.header("X-Auth-Token") ?? "") }
        guard authorised else {
            return .json(401, ["error": ["code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."]])
        }
        switch request.method {
        case "GET": return show(parts[3])
        case "PUT": return update(parts[3], request)
        default: return nil
        }
    }

    private func authenticate(_ request: FakeRequest) -> FakeResponse {
        let identity = (request.json?["auth"] as? [String: Any])?["identity"] as? [String: Any]
        let credential = identity?["application_credential"] as? [String: Any]
        guard (identity?["methods"] as? [String]) == ["application_credential"],
            credential?["id"] as? String == Self.credentialID, credential?["secret"] as? String == Self.secret
        else {
            return .json(401, ["error": ["code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."]])
        }
        return state.withLock { state in
            state.issued += 1
            let token = "gAAAAAfaketoken\(state.issued)"
            state.tokens.insert(token)
            let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            return .json(201, ["token": [
                "methods": ["application_credential"], "expires_at": expires,
                "catalog": [
                    ["type": "identity", "name": "keystone", "endpoints": [["interface": "public", "region": "RegionOne", "url": "\(state.base)/v3"]]],
                    ["type": "network", "name": "neutron", "endpoints": [
                        ["interface": "internal", "region": "RegionOne", "url": "http://192.0.2.1:9696"],
                        ["interface": "public", "region": "RegionOne", "url": "\(state.base)/network/"],
                    ]],
                ],
            ] as [String: Any]], headers: [("X-Subject-Token", token)])
        }
    }

    private func object(_ id: String, _ floating: Floating) -> [String: Any] {
        [
            "id": id, "floating_ip_address": "198.51.100.10", "port_id": floating.port.map { $0 as Any } ?? NSNull(),
            "fixed_ip_address": floating.port == nil ? NSNull() : "10.0.0.5" as Any,
            "status": floating.port == nil ? "DOWN" : "ACTIVE", "revision_number": floating.revision,
            "floating_network_id": "net-ext", "router_id": "router-1",
        ]
    }

    private func notFound(_ id: String) -> FakeResponse {
        .json(404, ["NeutronError": ["type": "FloatingIPNotFound", "message": "Floating IP \(id) could not be found", "detail": ""]])
    }

    private func show(_ id: String) -> FakeResponse {
        state.withLock { state in
            guard let floating = state.floating[id] else { return notFound(id) }
            return .json(200, ["floatingip": object(id, floating)])
        }
    }

    private func update(_ id: String, _ request: FakeRequest) -> FakeResponse {
        guard let body = request.json?["floatingip"] as? [String: Any], body.keys.contains("port_id") else {
            return .json(400, ["NeutronError": ["type": "HTTPBadRequest", "message": "Invalid input", "detail": ""]])
        }
        return state.withLock { state in
            guard var floating = state.floating[id] else { return notFound(id) }
            if let race = state.raceTo {
                state.raceTo = nil
                floating.port = race
                floating.revision += 1
                state.floating[id] = floating
            }
            if let condition = request.header("If-Match"), condition != "revision_number=\(floating.revision)" {
                return .json(412, ["NeutronError": [
                    "type": "RevisionNumberConstraintFailed",
                    "message": "Constraints not met for expected_revision \(condition) (current \(floating.revision))",
                    "detail": "",
                ]])
            }
            let port = body["port_id"] as? String
            if let port, !state.ports.contains(port) {
                return .json(404, ["NeutronError": ["type": "PortNotFound", "message": "Port \(port) could not be found.", "detail": ""]])
            }
            floating.port = port
            floating.revision += 1
            state.floating[id] = floating
            return .json(200, ["floatingip": object(id, floating)])
        }
    }
}
