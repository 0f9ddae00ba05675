import FloatIPCore

/// `mover: hetzner`: a Hetzner Cloud Floating IP (hcloud-go `schema/floating_ip.go`, `schema/action.go`).
/// `POST /v1/floating_ips/{id}/actions/assign` `{"server":N}` returns an action, polled at
/// `GET /v1/actions/{id}` until `success`; holder from `GET /v1/floating_ips/{id}` → `floating_ip.server`;
/// release `.../actions/unassign`. Hetzner routes the address but does not configure it: the group
/// needs an `interface`, and the local mover puts the address there too.
public struct HetznerCloudProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var floatingIPID: Int
        public var serverID: Int
    }

    public static let kind = MoverKind.hetzner
    public static let name = "Hetzner Cloud"
    public static let defaultEndpoint = "https://api.hetzner.cloud"
    public static let needsLocalAddress = true
    public static let credentials: [(name: String, what: String)] = [("token", "Hetzner Cloud API token")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let floating = check.requiredID("floating_ip_id", "the Floating IP's id")
        let server = check.requiredID("server_id", "this server's id")
        guard let floating, let server else { return nil }
        return Settings(floatingIPID: floating, serverID: server)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        guard let message = JSONAnswer.message(in: response, [["error", "message"]]) else { return nil }
        let code = JSONAnswer.message(in: response, [["error", "code"]])
        return code.map { "\($0): \(message)" } ?? message
    }

    let settings: Settings
    let context: CloudContext

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { String(settings.serverID) }
    public var address: String { "floating IP \(settings.floatingIPID)" }

    private var base: String { "\(context.endpoint)/v1/floating_ips/\(settings.floatingIPID)" }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply = try await context.sendJSON(try context.bearer("GET", base), deadline: deadline)
        guard let server = reply.answer["floating_ip"]?["server"] else {
            throw context.http.missing("`floating_ip.server`", in: reply.answer, call: reply.call, status: reply.status)
        }
        if server.isNull { return ProviderState(holder: nil) }
        guard let id = server.idText else {
            throw context.http.missing("server id", in: server, call: reply.call, status: reply.status)
        }
        return ProviderState(holder: id)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        try await act("assign", ["server": settings.serverID], deadline: deadline)
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        try await act("unassign", [:], deadline: deadline)
        return true
    }

    /// Starts `command` on the floating IP and polls the action until it is `success`.
    private func act(_ command: String, _ body: [String: Any], deadline: ContinuousClock.Instant) async throws {
        let start = try context.bearer("POST", "\(base)/actions/\(command)", body: body)
        let reply = try await context.sendJSON(start, deadline: deadline)
        guard let id = reply.answer["action"]?["id"]?.idText else {
            throw context.http.missing("action id", in: reply.answer, call: reply.call, status: reply.status)
        }
        let poll = try context.bearer("GET", "\(context.endpoint)/v1/actions/\(id)")
        let poller = ActionPoller(
            http: context.http, interval: context.pollInterval,
            read: { answer in
                let error = answer["action"]?["error"]
                let message = error?["message"]?.string.map { text in (error?["code"]?.string).map { "\($0): \(text)" } ?? text }
                return (answer["action"]?["status"]?.string, message)
            },
            done: ["success"], failed: ["error"])
        try await poller.wait(first: reply.answer, call: reply.call, deadline: deadline) { poll }
    }
}
