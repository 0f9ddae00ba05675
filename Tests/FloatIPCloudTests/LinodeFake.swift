import Foundation
import Synchronization

/// Linode's IP sharing API (linodego `network_ips.go`): `GET /v4/networking/ips/{address}` →
/// `{"address":…,"linode_id":N,…}`, `POST /v4/networking/ips/assign`
/// `{"region":…,"assignments":[{"address":…,"linode_id":N}]}` → 200 `{}`; Bearer auth; errors
/// `{"errors":[{"reason":…,"field":…}]}`; 429 carries `Retry-After`.
final class LinodeFake: Sendable {
    static let token = "linode-fake-token-0123456789abcdef"
    let state: Mutex<(owners: [String: Int], linodes: Set<Int>, region: String)>

    init(owners: [String: Int], linodes: Set<Int>) { state = Mutex((owners, linodes, "us-east")) }

    func owner(_ address: String) -> Int? { state.withLock { $0.owners[address] } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.count == 4, parts[0] == "v4", parts[1] == "networking", parts[2] == "ips" else { return nil }
        guard request.header("Authorization") == "Bearer \(Self.token)" else { return error(401, "Invalid Token") }
        return state.withLock { state -> FakeResponse? in
            switch (request.method, parts[3]) {
            case ("POST", "assign"):
                guard let body = request.json, let region = body["region"] as? String,
                    let assignments = body["assignments"] as? [[String: Any]], !assignments.isEmpty
                else { return error(400, "region and assignments are required") }
                guard region == state.region else { return error(400, "Linodes must be in the same region", field: "region") }
                for assignment in assignments {
                    guard let address = assignment["address"] as? String, state.owners[address] != nil else {
                        return error(400, "Invalid IP address", field: "address")
                    }
                    guard let linode = assignment["linode_id"] as? Int, state.linodes.contains(linode) else {
                        return error(400, "Invalid Linode", field: "linode_id")
                    }
                    state.owners[address] = linode
                }
                return .json(200, [:] as [String: String])
            case ("GET", let address):
                guard let owner = state.owners[address] else { return error(404, "Not found") }
                return .json(200, [
                    "address": address, "linode_id": owner, "region": state.region, "type": "ipv4", "public": true,
                    "prefix": 24, "gateway": "192.0.2.1", "subnet_mask": "255.255.255.0", "rdns": NSNull(),
                ] as [String: Any])
            default:
                return nil
            }
        }
    }

    private func error(_ status: Int, _ reason: String, field: String? = nil) -> FakeResponse {
        var item: [String: Any] = ["reason": reason]
        if let field { item["field"] = field }
        return .json(status, ["errors": [item]])
    }
}
