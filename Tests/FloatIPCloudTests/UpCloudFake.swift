import Foundation
import Synchronization

/// UpCloud's IP address API (upcloud-go-api): `GET /1.3/ip_address/{ip}` →
/// `{"ip_address":{"address","mac","server","floating":"yes",…}}`, `PATCH /1.3/ip_address/{ip}`
/// `{"ip_address":{"mac":…}}` (`null` detaches) → 202 with the address; HTTP Basic; errors
/// `{"error":{"error_code","error_message"}}`.
final class UpCloudFake: Sendable {
    static let user = "floatip-api"
    static let password = "upcloud-fake-password-0123"
    /// MAC → server uuid of the interfaces that exist.
    let state: Mutex<(macs: [String: String?], servers: [String: String])>

    init(macs: [String: String?], servers: [String: String]) { state = Mutex((macs, servers)) }

    func mac(_ ip: String) -> String?? { state.withLock { $0.macs[ip] } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.count == 3, parts[0] == "1.3", parts[1] == "ip_address" else { return nil }
        let expected = "Basic " + Data("\(Self.user):\(Self.password)".utf8).base64EncodedString()
        guard request.header("Authorization") == expected else { return error(401, "AUTHENTICATION_FAILED", "Authentication failed using the given username and password.") }
        let ip = parts[2]
        return state.withLock { state -> FakeResponse? in
            guard let current = state.macs[ip] else { return error(404, "IP_ADDRESS_NOT_FOUND", "The IP address \(ip) does not exist.") }
            switch request.method {
            case "GET":
                return .json(200, ["ip_address": object(ip, current, state.servers)])
            case "PATCH":
                guard let body = request.json?["ip_address"] as? [String: Any], body.keys.contains("mac") else {
                    return error(400, "INVALID_REQUEST", "ip_address.mac is required")
                }
                let mac = body["mac"] as? String
                if let mac, state.servers[mac] == nil { return error(400, "MAC_INVALID", "The MAC address \(mac) is not valid.") }
                state.macs[ip] = .some(mac)
                return .json(202, ["ip_address": object(ip, mac, state.servers)])
            default:
                return nil
            }
        }
    }

    private func object(_ ip: String, _ mac: String?, _ servers: [String: String]) -> [String: Any] {
        var object: [String: Any] = ["address": ip, "access": "public", "family": "IPv4", "floating": "yes", "zone": "fi-hel1"]
        if let mac {
            object["mac"] = mac
            object["server"] = servers[mac] ?? ""
        }
        return object
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(status, ["error": ["error_code": code, "error_message": message]])
    }
}
