import Crypto
import FloatIPCore
import Foundation

/// `mover: lunanode`: a LunaNode floating IP through its Dynamic API: `POST /api/{category}/{action}/`
/// with the form fields `req` (JSON of the parameters plus `api_id` and `api_partialkey`, the key's
/// first 64 characters), `nonce` (Unix seconds) and `signature`, the hex HMAC-SHA512 of
/// `"{category}/{action}/|{req}|{nonce}"` under the whole API key. Answers carry `"success":"yes"`
/// or an `"error"`.
///
/// The move is two calls: `vm/floatingip-delete` (`keep: yes`, so the address stays allocated) on
/// the VM that has it, then `vm/floatingip-add` (`vm_id`, `ip`) on this one. The holder comes from
/// `vm/info` → `info.ip` of this VM and of the peers' VMs (`peer_vm_ids`): the field names of
/// `floating/list` are not confirmed, `vm/info`'s are (LunaNode's own WHMCS module reads them).
public struct LunaNodeProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var apiID: String
        public var ip: String
        public var vmID: String
        /// The other nodes' VMs, which may hold the address when this one does not.
        public var peerVMIDs: [String]
    }

    public static let kind = MoverKind.lunanode
    public static let name = "LunaNode"
    public static let defaultEndpoint = "https://dynamic.lunanode.com"
    public static let credentials: [(name: String, what: String)] = [("api_key", "LunaNode API key (128 characters)")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let apiID = check.required("api_id", "the API id (16 characters)")
        let ip = check.requiredAddress("ip", "the floating IP")
        let vm = check.required("vm_id", "this server's VM id")
        let peers = check.optional("peer_vm_ids").map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } ?? []
        if let apiID, apiID.count != 16 {
            check.report("api_id", "`\(apiID)` has \(apiID.count) characters; a LunaNode API id has 16")
            return nil
        }
        guard let apiID, let ip, let vm else { return nil }
        return Settings(apiID: apiID, ip: ip, vmID: vm, peerVMIDs: peers.filter { $0 != vm })
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        JSONAnswer.message(in: response, [["error"]])
    }

    /// The request signature: hex HMAC-SHA512 of `"{path}|{req}|{nonce}"` under `key`.
    public static func signature(key: String, path: String, request: String, nonce: String) -> String {
        let code = HMAC<SHA512>.authenticationCode(
            for: Array("\(path)|\(request)|\(nonce)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.vmID }
    public var address: String { settings.ip }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        for vm in [settings.vmID] + settings.peerVMIDs {
            let answer = try await call("vm", "info", ["vm_id": vm], deadline: deadline)
            guard let info = answer["info"] else {
                throw context.http.missing("`info`", in: answer, call: "POST /api/vm/info/", status: 200)
            }
            if info["ip"]?.string == settings.ip { return ProviderState(holder: vm) }
        }
        return ProviderState(holder: nil)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        if let holder = state.holder, holder != settings.vmID {
            _ = try await call("vm", "floatingip-delete", ["vm_id": holder, "ip": settings.ip, "keep": "yes"], deadline: deadline)
        }
        _ = try await call("vm", "floatingip-add", ["vm_id": settings.vmID, "ip": settings.ip], deadline: deadline)
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        _ = try await call("vm", "floatingip-delete", ["vm_id": settings.vmID, "ip": settings.ip, "keep": "yes"], deadline: deadline)
        return true
    }

    /// One signed Dynamic API call; an answer without `"success":"yes"` is an error with its `error` text.
    private func call(
        _ category: String, _ action: String, _ parameters: [String: String], deadline: ContinuousClock.Instant
    ) async throws -> JSONAnswer {
        let key = try context.secret("api_key")
        guard key.count >= 64 else {
            throw CredentialProblem(key: "api_key", message: "the API key has \(key.count) characters; LunaNode's have 128")
        }
        var fields = parameters
        fields["api_id"] = settings.apiID
        fields["api_partialkey"] = String(key.prefix(64))
        let request = String(decoding: ProviderHTTP.json(fields), as: UTF8.self)
        let path = "\(category)/\(action)/"
        let url = "\(context.endpoint)/api/\(path)"
        let response = try await context.http.send(deadline: deadline) {
            let nonce = String(Int(Date().timeIntervalSince1970))
            let signature = Self.signature(key: key, path: path, request: request, nonce: nonce)
            let body = [("req", request), ("signature", signature), ("nonce", nonce)]
                .map { "\($0.0)=\(SigV4.encode($0.1))" }.joined(separator: "&")
            return ProviderRequest(
                method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(body.utf8))
        }
        let call = "POST /api/\(path)"
        let answer = try JSONAnswer.parse(response, call: call, http: context.http)
        guard answer["success"]?.string == "yes" else {
            throw ProviderError(
                provider: Self.name, call: call, status: response.status,
                message: context.http.scrub(answer["error"]?.string ?? "the answer does not say success"))
        }
        return answer
    }
}
