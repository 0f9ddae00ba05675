import FloatIPCore

/// `mover: digitalocean`: a Reserved IP assigned to this droplet (godo `reserved_ips_actions.go`).
/// `POST /v2/reserved_ips/{ip}/actions` `{"type":"assign","droplet_id":N}`, then the action is
/// polled until `completed`; holder from `GET /v2/reserved_ips/{ip}` → `reserved_ip.droplet.id`;
/// release `{"type":"unassign"}`. The address is NATed to the droplet: nothing to configure locally.
public struct DigitalOceanProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var ip: String
        public var dropletID: Int
    }

    public static let kind = MoverKind.digitalocean
    public static let name = "DigitalOcean"
    public static let defaultEndpoint = "https://api.digitalocean.com"
    public static let credentials: [(name: String, what: String)] = [("token", "DigitalOcean API token")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let ip = check.requiredAddress("ip", "the reserved IP")
        let droplet = check.requiredID("droplet_id", "this server's droplet id")
        guard let ip, let droplet else { return nil }
        return Settings(ip: ip, dropletID: droplet)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        JSONAnswer.message(in: response, [["message"], ["id"]])
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { String(settings.dropletID) }
    public var address: String { settings.ip }

    private var base: String { "\(context.endpoint)/v2/reserved_ips/\(settings.ip)" }

    private func request(_ method: String, _ url: String, _ body: [String: Any]? = nil) throws -> @Sendable () -> ProviderRequest {
        let built = ProviderRequest.bearerJSON(method, url, token: try context.secret("token"), body: body)
        return { built }
    }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let make = try request("GET", base)
        let response = try await context.http.send(deadline: deadline, make)
        let answer = try JSONAnswer.parse(response, call: make().call, http: context.http)
        guard let ip = answer["reserved_ip"] else {
            throw context.http.missing("`reserved_ip`", in: answer, call: make().call, status: response.status)
        }
        guard let droplet = ip["droplet"], !droplet.isNull else { return ProviderState(holder: nil) }
        guard let id = droplet["id"]?.idText else {
            throw context.http.missing("droplet id", in: droplet, call: make().call, status: response.status)
        }
        return ProviderState(holder: id)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        try await act(["type": "assign", "droplet_id": settings.dropletID], deadline: deadline)
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        try await act(["type": "unassign"], deadline: deadline)
        return true
    }

    private func act(_ body: [String: Any], deadline: ContinuousClock.Instant) async throws {
        let make = try request("POST", "\(base)/actions", body)
        let response = try await context.http.send(deadline: deadline, make)
        let answer = try JSONAnswer.parse(response, call: make().call, http: context.http)
        guard let action = answer["action"], let id = action["id"]?.idText else {
            throw context.http.missing("action id", in: answer, call: make().call, status: response.status)
        }
        let poller = ActionPoller(
            http: context.http, interval: context.pollInterval,
            read: { ($0["action"]?["status"]?.string, nil) }, done: ["completed"], failed: ["errored"])
        try await poller.wait(first: answer, call: make().call, deadline: deadline, try request("GET", "\(base)/actions/\(id)"))
    }
}
