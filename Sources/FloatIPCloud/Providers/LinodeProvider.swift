import FloatIPCore

/// `mover: linode`: an IP shared by moving it between Linodes (linodego `network_ips.go`).
/// `POST /v4/networking/ips/assign` `{"region":…,"assignments":[{"address":…,"linode_id":N}]}`
/// (synchronous); holder from `GET /v4/networking/ips/{address}` → `linode_id`. Linode has no
/// detach for an assigned address: release leaves it and says so.
public struct LinodeProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var ip: String
        public var linodeID: Int
        public var region: String
    }

    public static let kind = MoverKind.linode
    public static let name = "Linode"
    public static let defaultEndpoint = "https://api.linode.com"
    public static let credentials: [(name: String, what: String)] = [("token", "Linode API token (ips:read_write, linodes:read_write)")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let ip = check.requiredAddress("ip", "the address to move")
        let linode = check.requiredID("linode_id", "this server's Linode id")
        let region = check.required("region", "the region of both Linodes, e.g. `us-east`")
        guard let ip, let linode, let region else { return nil }
        return Settings(ip: ip, linodeID: linode, region: region)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        JSONAnswer.message(in: response, [["errors", "reason"]])
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { String(settings.linodeID) }
    public var address: String { settings.ip }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let request = try context.bearer("GET", "\(context.endpoint)/v4/networking/ips/\(settings.ip)")
        let reply = try await context.sendJSON(request, deadline: deadline)
        guard let linode = reply.answer["linode_id"] else {
            throw context.http.missing("`linode_id`", in: reply.answer, call: reply.call, status: reply.status)
        }
        return ProviderState(holder: linode.isNull ? nil : linode.idText)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let body: [String: Any] = [
            "region": settings.region, "assignments": [["address": settings.ip, "linode_id": settings.linodeID]],
        ]
        let request = try context.bearer("POST", "\(context.endpoint)/v4/networking/ips/assign", body: body)
        _ = try await context.http.send(deadline: deadline) { request }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool { false }
}
