import Crypto
import Foundation
import Synchronization

/// LunaNode's Dynamic API as its client libraries (nomoon/lunanode, LunaNode's lndynamic_whmcs)
/// call it: `POST /api/{category}/{action}/` with the form fields `req`, `nonce` and `signature`
/// (hex HMAC-SHA512 of `"{category}/{action}/|{req}|{nonce}"` under the API key), `req` carrying
/// `api_id` and `api_partialkey`; answers `{"success":"yes",…}` or `{"success":"no","error":…}`.
/// Implements `vm/info` (`info.ip`), `vm/floatingip-add` and `vm/floatingip-delete`.
final class LunaNodeFake: Sendable {
    static let apiID = "ABCDEFGHIJKLMNOP"
    static let key = String(repeating: "k", count: 64) + String(repeating: "K", count: 64)
    /// The floating IP of each VM ("" for none).
    let state: Mutex<[String: String]>

    init(ips: [String: String]) { state = Mutex(ips) }

    func ip(of vm: String) -> String? { state.withLock { $0[vm] } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard request.method == "POST", parts.count == 3, parts[0] == "api", request.path.hasSuffix("/") else { return nil }
        let path = "\(parts[1])/\(parts[2])/"
        let form = request.form
        guard let req = form["req"], let nonce = form["nonce"], let signature = form["signature"],
            let fields = (try? JSONSerialization.jsonObject(with: Data(req.utf8))) as? [String: String]
        else { return fail("invalid request") }
        let expected = HMAC<SHA512>.authenticationCode(
            for: Array("\(path)|\(req)|\(nonce)".utf8), using: SymmetricKey(data: Array(Self.key.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        guard fields["api_id"] == Self.apiID, fields["api_partialkey"] == String(Self.key.prefix(64)), signature == expected
        else { return fail("authentication failed") }
        guard let sent = Double(nonce), abs(sent - Date().timeIntervalSince1970) < 300 else { return fail("invalid nonce") }
        return state.withLock { ips -> FakeResponse? in
            guard let vm = fields["vm_id"], ips[vm] != nil else { return fail("VM not found") }
            switch path {
            case "vm/info/":
                return .json(200, ["success": "yes", "info": ["ip": ips[vm] ?? "", "hostname": vm, "status": "Online"],
                                   "extra": ["region": "toronto"]] as [String: Any])
            case "vm/floatingip-add/":
                guard let ip = fields["ip"] else { return fail("ip is required") }
                guard ips[vm] == "" else { return fail("VM already has a floating IP") }
                guard !ips.values.contains(ip) else { return fail("floating IP is attached to another VM") }
                ips[vm] = ip
                return .json(200, ["success": "yes"])
            case "vm/floatingip-delete/":
                guard fields["keep"] == "yes" else { return fail("the test expects keep=yes") }
                guard ips[vm] != "", fields["ip"] == nil || fields["ip"] == ips[vm] else { return fail("VM has no such floating IP") }
                ips[vm] = ""
                return .json(200, ["success": "yes"])
            default:
                return nil
            }
        }
    }

    private func fail(_ message: String) -> FakeResponse { .json(200, ["success": "no", "error": message]) }
}
