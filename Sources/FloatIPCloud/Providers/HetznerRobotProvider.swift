import FloatIPCore
import Foundation

/// `mover: hetzner-robot`: a Hetzner Robot failover IP (robot-ws; Ansible community.hrobot
/// `failover.py`). Holder from `GET /failover/{ip}` → `failover.active_server_ip`; claim
/// `POST /failover/{ip}` `active_server_ip=<this server's main IP>` (form-encoded, synchronous,
/// 40–60 s); `FAILOVER_ALREADY_ROUTED` (409) counts as success. HTTP Basic with the Robot
/// webservice user. Rate limiting answers 403 `RATE_LIMIT_EXCEEDED` (retried). No detach:
/// release leaves the routing and says so.
public struct HetznerRobotProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var ip: String
        public var serverIP: String
        public var user: String
    }

    public static let kind = MoverKind.hetznerRobot
    public static let name = "Hetzner Robot"
    public static let defaultEndpoint = "https://robot-ws.your-server.de"
    public static let defaultClaimTimeout: Duration = .seconds(180)
    public static let defaultRequestTimeout: Duration = .seconds(90)
    public static let credentials: [(name: String, what: String)] = [("password", "Robot webservice password")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let ip = check.requiredAddress("ip", "the failover IP")
        let server = check.requiredAddress("server_ip", "this server's main IP, where the failover IP is routed")
        let user = check.required("user", "the Robot webservice user")
        guard let ip, let server, let user else { return nil }
        return Settings(ip: ip, serverIP: server, user: user)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        guard let message = JSONAnswer.message(in: response, [["error", "message"]]) else { return nil }
        return JSONAnswer.message(in: response, [["error", "code"]]).map { "\($0): \(message)" } ?? message
    }

    public static func isThrottled(_ response: ProviderResponse) -> Bool {
        response.status == 403 && JSONAnswer.message(in: response, [["error", "code"]]) == "RATE_LIMIT_EXCEEDED"
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.serverIP }
    public var address: String { settings.ip }

    private func request(_ method: String, form: String? = nil) throws -> ProviderRequest {
        let basic = Data("\(settings.user):\(try context.secret("password"))".utf8).base64EncodedString()
        var headers = [("Authorization", "Basic \(basic)"), ("Accept", "application/json")]
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        return ProviderRequest(
            method: method, url: "\(context.endpoint)/failover/\(settings.ip)", headers: headers,
            body: Array((form ?? "").utf8))
    }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply = try await context.sendJSON(try request("GET"), deadline: deadline)
        guard let active = reply.answer["failover"]?["active_server_ip"] else {
            throw context.http.missing("`failover.active_server_ip`", in: reply.answer, call: reply.call, status: reply.status)
        }
        return ProviderState(holder: active.isNull ? nil : active.string)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let request = try request("POST", form: "active_server_ip=\(SigV4.encode(settings.serverIP))")
        let response = try await context.http.send(deadline: deadline, accept: [409]) { request }
        if response.status == 409 {
            let code = JSONAnswer.message(in: response, [["error", "code"]])
            guard code == "FAILOVER_ALREADY_ROUTED" else {
                throw ProviderError(
                    provider: Self.name, call: request.call, status: 409,
                    message: context.http.scrub(Self.errorMessage(response) ?? ProviderHTTP.fallbackMessage(response)))
            }
        }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool { false }
}
