import Foundation
import Synchronization

/// Hetzner Robot's failover API (robot-ws docs, community.hrobot `failover.py`): `GET /failover/{ip}`
/// → `{"failover":{"ip","netmask","server_ip","server_number","active_server_ip"}}`,
/// `POST /failover/{ip}` with the form field `active_server_ip` (synchronous; `delay` makes it slow
/// as the real one is); 409 `FAILOVER_ALREADY_ROUTED` when it already points there; HTTP Basic;
/// errors `{"error":{"status","code","message"}}`; rate limiting as 403 `RATE_LIMIT_EXCEEDED`.
final class HetznerRobotFake: Sendable {
    static let user = "#ws+robotuser"
    static let password = "robot-fake-password-0123"
    let state: Mutex<(active: [String: String], servers: Set<String>, delay: Duration?)>

    init(active: [String: String], servers: Set<String>) { state = Mutex((active, servers, nil)) }

    func active(_ ip: String) -> String? { state.withLock { $0.active[ip] } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.count == 2, parts[0] == "failover" else { return nil }
        let expected = "Basic " + Data("\(Self.user):\(Self.password)".utf8).base64EncodedString()
        guard request.header("Authorization") == expected else { return error(401, "UNAUTHORIZED", "Unauthorized") }
        let ip = parts[1]
        return state.withLock { state -> FakeResponse? in
            guard let active = state.active[ip] else { return error(404, "NOT_FOUND", "Failover IP not found") }
            switch request.method {
            case "GET":
                return .json(200, ["failover": object(ip, active)])
            case "POST":
                guard request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true,
                    let target = request.form["active_server_ip"]
                else { return error(400, "INVALID_INPUT", "invalid input") }
                guard state.servers.contains(target) else { return error(404, "SERVER_NOT_FOUND", "Server \(target) not found") }
                guard target != active else { return error(409, "FAILOVER_ALREADY_ROUTED", "Failover already routed") }
                state.active[ip] = target
                var answer = FakeResponse.json(200, ["failover": object(ip, target)])
                answer.delay = state.delay
                return answer
            default:
                return nil
            }
        }
    }

    private func object(_ ip: String, _ active: String) -> [String: Any] {
        ["ip": ip, "netmask": "255.255.255.255", "server_ip": "198.51.100.1", "server_number": 321, "active_server_ip": active]
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(status, ["error": ["status": status, "code": code, "message": message]])
    }
}
