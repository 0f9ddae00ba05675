import FloatIPCore
import Foundation

/// `mover: upcloud`: an UpCloud floating IP (upcloud-go-api), moved by pointing it at a network
/// interface's MAC: `PATCH /1.3/ip_address/{ip}` `{"ip_address":{"mac":…}}` (`null` detaches);
/// holder from `GET /1.3/ip_address/{ip}` → `ip_address.mac`. HTTP Basic with an API user.
public struct UpCloudProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var ip: String
        public var mac: String
        public var username: String
    }

    public static let kind = MoverKind.upcloud
    public static let name = "UpCloud"
    public static let defaultEndpoint = "https://api.upcloud.com"
    public static let credentials: [(name: String, what: String)] = [("password", "UpCloud API user's password")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let ip = check.requiredAddress("ip", "the floating IP")
        let mac = check.required("mac", "the MAC of this server's public interface, e.g. `de:ff:ff:ff:66:89`")
        let username = check.required("username", "the API user")
        guard let ip, let mac, let username else { return nil }
        return Settings(ip: ip, mac: mac.lowercased(), username: username)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        guard let message = JSONAnswer.message(in: response, [["error", "error_message"]]) else { return nil }
        return JSONAnswer.message(in: response, [["error", "error_code"]]).map { "\($0): \(message)" } ?? message
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.mac }
    public var address: String { settings.ip }

    private func request(_ method: String, body: [String: Any]? = nil) throws -> ProviderRequest {
        let basic = Data("\(settings.username):\(try context.secret("password"))".utf8).base64EncodedString()
        var headers = [("Authorization", "Basic \(basic)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return ProviderRequest(
            method: method, url: "\(context.endpoint)/1.3/ip_address/\(settings.ip)", headers: headers,
            body: body.map(ProviderHTTP.json) ?? [])
    }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply = try await context.sendJSON(try request("GET"), deadline: deadline)
        guard let ip = reply.answer["ip_address"] else {
            throw context.http.missing("`ip_address`", in: reply.answer, call: reply.call, status: reply.status)
        }
        let mac = ip["mac"]?.string?.lowercased() ?? ""
        return ProviderState(holder: mac.isEmpty ? nil : mac)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let request = try request("PATCH", body: ["ip_address": ["mac": settings.mac]])
        _ = try await context.http.send(deadline: deadline) { request }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        let request = try request("PATCH", body: ["ip_address": ["mac": NSNull()]])
        _ = try await context.http.send(deadline: deadline) { request }
        return true
    }
}
