import Foundation
import Synchronization

/// Vultr's Reserved IP API (govultr `reserved_ip.go`): `GET /v2/reserved-ips/{id}` →
/// `{"reserved_ip":{…,"instance_id":""}}`, `POST /v2/reserved-ips/{id}/attach` `{"instance_id":…}`
/// and `POST …/detach`, both 204 without a body; Bearer auth; errors `{"error":…,"status":N}`.
final class VultrFake: Sendable {
    static let key = "VULTRFAKEAPIKEY0123456789ABCDEF"
    let state: Mutex<(attached: [String: String], instances: Set<String>)>

    init(attached: [String: String], instances: Set<String>) { state = Mutex((attached, instances)) }

    func instance(_ id: String) -> String { state.withLock { $0.attached[id] ?? "?" } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.count >= 3, parts[0] == "v2", parts[1] == "reserved-ips" else { return nil }
        guard request.header("Authorization") == "Bearer \(Self.key)" else { return error(401, "Invalid API token.") }
        let id = parts[2]
        return state.withLock { state -> FakeResponse? in
            guard let current = state.attached[id] else { return error(404, "Reserved IP not found.") }
            switch (request.method, parts.count > 3 ? parts[3] : nil) {
            case ("GET", nil):
                return .json(200, ["reserved_ip": [
                    "id": id, "region": "ewr", "ip_type": "v4", "subnet": "192.0.2.10", "subnet_size": 32,
                    "label": "floatip", "instance_id": current,
                ]])
            case ("POST", "attach"):
                guard let target = request.json?["instance_id"] as? String else { return error(400, "instance_id is required") }
                guard state.instances.contains(target) else { return error(404, "Invalid instance-id.") }
                state.attached[id] = target
                return FakeResponse(status: 204)
            case ("POST", "detach"):
                guard !current.isEmpty else { return error(400, "Reserved IP is not attached.") }
                state.attached[id] = ""
                return FakeResponse(status: 204)
            default:
                return nil
            }
        }
    }

    private func error(_ status: Int, _ message: String) -> FakeResponse { .json(status, ["error": message, "status": status]) }
}
