import FloatIPCore

/// `mover: vultr`: a Vultr Reserved IP (govultr `reserved_ip.go`). `POST /v2/reserved-ips/{id}/attach`
/// `{"instance_id":…}` (synchronous, 204); holder from `GET /v2/reserved-ips/{id}` →
/// `reserved_ip.instance_id` (`""` when detached); release `POST …/detach`.
public struct VultrProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var reservedIPID: String
        public var instanceID: String
    }

    public static let kind = MoverKind.vultr
    public static let name = "Vultr"
    public static let defaultEndpoint = "https://api.vultr.com"
    public static let credentials: [(name: String, what: String)] = [("token", "Vultr API key")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let reserved = check.required("reserved_ip_id", "the reserved IP's id")
        let instance = check.required("instance_id", "this server's instance id")
        guard let reserved, let instance else { return nil }
        return Settings(reservedIPID: reserved, instanceID: instance)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        JSONAnswer.message(in: response, [["error"]])
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.instanceID }
    public var address: String { "reserved IP \(settings.reservedIPID)" }

    private var base: String { "\(context.endpoint)/v2/reserved-ips/\(settings.reservedIPID)" }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply = try await context.sendJSON(try context.bearer("GET", base), deadline: deadline)
        guard let instance = reply.answer["reserved_ip"]?["instance_id"], instance.isNull || instance.string != nil else {
            throw context.http.missing("`reserved_ip.instance_id`", in: reply.answer, call: reply.call, status: reply.status)
        }
        let id = instance.string ?? ""
        return ProviderState(holder: id.isEmpty ? nil : id)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let request = try context.bearer("POST", "\(base)/attach", body: ["instance_id": settings.instanceID])
        _ = try await context.http.send(deadline: deadline) { request }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        let request = try context.bearer("POST", "\(base)/detach")
        _ = try await context.http.send(deadline: deadline) { request }
        return true
    }
}
