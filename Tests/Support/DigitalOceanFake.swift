import Foundation
import Synchronization

/// DigitalOcean's Reserved IP API as godo and the API reference describe it, request for request:
/// `GET /v2/reserved_ips/{ip}`, `POST /v2/reserved_ips/{ip}/actions` (`assign` with `droplet_id`,
/// `unassign`) returning an action that is `in-progress` for `pollsToFinish` polls of
/// `GET /v2/reserved_ips/{ip}/actions/{id}` and then `completed` (or `errored`), Bearer auth, the
/// error shape `{"id":…,"message":…}` and the `RateLimit-*` headers on every answer.
public final class DigitalOceanFake: Sendable {
    public static let token = "dop_v1_fake0123456789abcdef"

    public struct Action {
        var ip: String
        var type: String
        var droplet: Int?
        var polls: Int
    }

    public struct State {
        /// Reserved IPs and the droplet each is assigned to (nil: unassigned).
        public var ips: [String: Int?] = [:]
        public var droplets: Set<Int> = []
        public var actions: [Int: Action] = [:]
        public var nextAction = 1000
        public var pollsToFinish = 2
        /// How the next actions end: `completed` or `errored`.
        public var outcome = "completed"
    }

    public let state = Mutex(State())

    public init(ips: [String: Int?], droplets: Set<Int>) {
        state.withLock {
            $0.ips = ips
            $0.droplets = droplets
        }
    }

    public func assignment(_ ip: String) -> Int? { state.withLock { $0.ips[ip] ?? nil } }

    public func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.count >= 3, parts[0] == "v2", parts[1] == "reserved_ips" else { return nil }
        guard request.header("Authorization") == "Bearer \(Self.token)" else {
            return answer(401, ["id": "Unauthorized", "message": "Unable to authenticate you"])
        }
        let ip = parts[2]
        switch (request.method, parts.count) {
        case ("GET", 3): return show(ip)
        case ("POST", 4) where parts[3] == "actions": return act(ip, request)
        case ("GET", 5) where parts[3] == "actions": return poll(ip, parts[4])
        default: return nil
        }
    }

    private func notFound() -> FakeResponse {
        answer(404, ["id": "not_found", "message": "The resource you were accessing could not be found."])
    }

    private func show(_ ip: String) -> FakeResponse {
        state.withLock { state in
            guard let assigned = state.ips[ip] else { return notFound() }
            let droplet: Any = assigned.map { ["id": $0, "name": "droplet-\($0)", "status": "active"] as [String: Any] } ?? NSNull()
            return answer(200, ["reserved_ip": [
                "ip": ip, "droplet": droplet, "locked": false,
                "region": ["slug": "nyc3", "name": "New York 3", "available": true],
            ]])
        }
    }

    private func act(_ ip: String, _ request: FakeRequest) -> FakeResponse {
        guard request.header("Content-Type")?.hasPrefix("application/json") == true, let body = request.json,
            let type = body["type"] as? String
        else { return answer(400, ["id": "bad_request", "message": "invalid JSON body"]) }
        return state.withLock { state in
            guard state.ips[ip] != nil else { return notFound() }
            var droplet: Int?
            switch type {
            case "assign":
                guard let id = body["droplet_id"] as? Int, state.droplets.contains(id) else {
                    return answer(422, ["id": "unprocessable_entity", "message": "Droplet not found"])
                }
                droplet = id
            case "unassign":
                break
            default:
                return answer(422, ["id": "unprocessable_entity", "message": "invalid action type `\(type)`"])
            }
            let id = state.nextAction
            state.nextAction += 1
            state.actions[id] = Action(ip: ip, type: type, droplet: droplet, polls: 0)
            return answer(201, ["action": actionObject(id, status: "in-progress", type: type)])
        }
    }

    private func poll(_ ip: String, _ idText: String) -> FakeResponse {
        state.withLock { state in
            guard let id = Int(idText), var action = state.actions[id], action.ip == ip else { return notFound() }
            action.polls += 1
            state.actions[id] = action
            guard action.polls >= state.pollsToFinish else {
                return answer(200, ["action": actionObject(id, status: "in-progress", type: action.type)])
            }
            if state.outcome == "completed", action.polls == state.pollsToFinish {
                state.ips[ip] = .some(action.type == "assign" ? action.droplet : nil)
            }
            return answer(200, ["action": actionObject(id, status: state.outcome, type: action.type)])
        }
    }

    private func actionObject(_ id: Int, status: String, type: String) -> [String: Any] {
        [
            "id": id, "status": status, "type": type == "assign" ? "assign_ip" : "unassign_ip",
            "started_at": "2026-01-01T00:00:00Z", "completed_at": NSNull(), "resource_type": "reserved_ip",
            "region_slug": "nyc3",
        ]
    }

    private func answer(_ status: Int, _ object: [String: Any]) -> FakeResponse {
        let reset = String(Int(Date().timeIntervalSince1970) + 60)
        return .json(status, object, headers: [("RateLimit-Limit", "5000"), ("RateLimit-Remaining", "4999"), ("RateLimit-Reset", reset)])
    }
}
