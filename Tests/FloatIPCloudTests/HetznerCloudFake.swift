import Foundation
import Synchronization

/// Hetzner Cloud's Floating IP API as hcloud-go's schema describes it: `GET /v1/floating_ips/{id}`,
/// `POST /v1/floating_ips/{id}/actions/assign` `{"server":N}` and `.../unassign`, each answering
/// 201 `{"action":{…}}` that `GET /v1/actions/{id}` reports `running` (with progress) for
/// `pollsToFinish` polls, then `success` or `error` with `{"code","message"}`; Bearer auth; errors
/// `{"error":{"code","message"}}`; the `RateLimit-*` headers.
final class HetznerCloudFake: Sendable {
    static let token = "hcloud-fake-token-0123456789abcdef"

    struct State {
        var floating: [Int: Int?] = [:]
        var servers: Set<Int> = []
        var actions: [Int: (floating: Int, command: String, server: Int?, polls: Int)] = [:]
        var nextAction = 500
        var pollsToFinish = 2
        var fail = false
    }

    let state = Mutex(State())

    init(floating: [Int: Int?], servers: Set<Int>) {
        state.withLock {
            $0.floating = floating
            $0.servers = servers
        }
    }

    func assignment(_ id: Int) -> Int? { state.withLock { $0.floating[id] ?? nil } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.first == "v1", parts.count >= 3 else { return nil }
        guard request.header("Authorization") == "Bearer \(Self.token)" else {
            return error(401, "unauthorized", "unable to authenticate")
        }
        switch (request.method, parts[1], parts.count) {
        case ("GET", "floating_ips", 3): return show(parts[2])
        case ("POST", "floating_ips", 5) where parts[3] == "actions": return act(parts[2], parts[4], request)
        case ("GET", "actions", 3): return poll(parts[2])
        default: return nil
        }
    }

    private func show(_ idText: String) -> FakeResponse {
        state.withLock { state in
            guard let id = Int(idText), let server = state.floating[id] else { return notFound() }
            return answer(200, ["floating_ip": [
                "id": id, "ip": "198.18.0.100", "type": "ipv4", "server": server.map { $0 as Any } ?? NSNull(),
                "blocked": false, "home_location": ["name": "fsn1"], "dns_ptr": [], "labels": [:] as [String: String],
            ] as [String: Any]])
        }
    }

    private func act(_ idText: String, _ command: String, _ request: FakeRequest) -> FakeResponse? {
        guard command == "assign" || command == "unassign" else { return nil }
        guard request.header("Content-Type")?.hasPrefix("application/json") == true, let body = request.json else {
            return error(400, "invalid_input", "invalid JSON body")
        }
        return state.withLock { state in
            guard let id = Int(idText), state.floating[id] != nil else { return notFound() }
            var server: Int?
            if command == "assign" {
                guard let target = body["server"] as? Int else { return error(422, "invalid_input", "invalid input in field 'server'") }
                guard state.servers.contains(target) else { return error(422, "invalid_input", "server \(target) not found") }
                server = target
            }
            let actionID = state.nextAction
            state.nextAction += 1
            state.actions[actionID] = (id, command, server, 0)
            return answer(201, ["action": action(actionID, command: command, status: "running", progress: 0, floating: id)])
        }
    }

    private func poll(_ idText: String) -> FakeResponse {
        state.withLock { state in
            guard let id = Int(idText), var entry = state.actions[id] else { return notFound() }
            entry.polls += 1
            state.actions[id] = entry
            if entry.polls < state.pollsToFinish {
                return answer(200, ["action": action(id, command: entry.command, status: "running", progress: 50, floating: entry.floating)])
            }
            if state.fail {
                var object = action(id, command: entry.command, status: "error", progress: 100, floating: entry.floating)
                object["error"] = ["code": "action_failed", "message": "Action failed"]
                return answer(200, ["action": object])
            }
            if entry.polls == state.pollsToFinish {
                state.floating[entry.floating] = .some(entry.command == "assign" ? entry.server : nil)
            }
            return answer(200, ["action": action(id, command: entry.command, status: "success", progress: 100, floating: entry.floating)])
        }
    }

    private func action(_ id: Int, command: String, status: String, progress: Int, floating: Int) -> [String: Any] {
        [
            "id": id, "command": "\(command)_floating_ip", "status": status, "progress": progress,
            "started": "2026-01-01T00:00:00+00:00", "finished": NSNull(), "error": NSNull(),
            "resources": [["id": floating, "type": "floating_ip"]],
        ]
    }

    private func notFound() -> FakeResponse { error(404, "not_found", "floating_ip not found") }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        answer(status, ["error": ["code": code, "message": message, "details": [:] as [String: String]]])
    }

    private func answer(_ status: Int, _ object: [String: Any]) -> FakeResponse {
        .json(status, object, headers: [
            ("RateLimit-Limit", "3600"), ("RateLimit-Remaining", "3599"),
            ("RateLimit-Reset", String(Int(Date().timeIntervalSince1970) + 1)),
        ])
    }
}
