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

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply = try await context.sendJSON(try context.bearer("GET", base), deadline: deadline)
        guard let ip = reply.answer["reserved_ip"] else {
            throw context.http.missing("`reserved_ip`", in: reply.answer, call: reply.call, status: reply.status)
        }
        guard let droplet = ip["droplet"], !droplet.isNull else { return ProviderState(holder: nil) }
        guard let id = droplet["id"]?.idText else {
            throw context.http.missing("droplet id", in: droplet, call: reply.call, status: reply.status)
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

    /// Starts an action on the reserved IP and polls it until it is `completed`.
    private func act(_ body: [String: Any], deadline: ContinuousClock.Instant) async throws {
        let reply = try await context.sendJSON(try context.bearer("POST", "\(base)/actions", body: body), deadline: deadline)
        guard let id = reply.answer["action"]?["id"]?.idText else {
            throw context.http.missing("action id", in: reply.answer, call: reply.call, status: reply.status)
        }
        let poll = try context.bearer("GET", "\(base)/actions/\(id)")
        let poller = ActionPoller(
            http: context.http, interval: context.pollInterval,
            read: { ($0["action"]?["status"]?.string, nil) }, done: ["completed"], failed: ["errored"])
        try await poller.wait(first: reply.answer, call: reply.call, deadline: deadline) { poll }
    }
}
