import FloatIPCore
import Foundation
import Synchronization

/// `mover: openstack`: a Neutron floating IP (gophercloud), for any OpenStack cloud (CloudVPS, …).
///
/// A Keystone v3 token (`POST /v3/auth/tokens`, application credential or password, the token in
/// `X-Subject-Token`, cached until shortly before it expires) and the catalog's `network` endpoint
/// (or `network_endpoint`). Holder from `GET /v2.0/floatingips/{id}` → `port_id`. Claim is a
/// compare-and-swap: `PUT /v2.0/floatingips/{id}` `{"floatingip":{"port_id":…}}` with
/// `If-Match: revision_number=N` from the read; a 412 means someone moved it in between, reported
/// as a conflict (the engine retries the claim with a fresh read). Release sets `port_id` to null.
public struct OpenStackProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var authURL: String
        public var floatingIPID: String
        public var portID: String
        /// Application credential id, or nil for password authentication.
        public var applicationCredentialID: String?
        public var username: String?
        public var userDomain: String
        public var projectID: String?
        public var region: String?
        public var networkEndpoint: String?
    }

    public static let kind = MoverKind.openstack
    public static let name = "OpenStack"
    public static let defaultEndpoint = ""
    /// The application credential's secret, or the user's password.
    public static let credentials: [(name: String, what: String)] = [("secret", "application credential secret or password")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let auth = check.url("auth_url", default: "")
        if check.options["auth_url"] == nil { check.report("auth_url", "missing: set `auth_url` (Keystone, e.g. `https://identity.example.com:5000`)") }
        let floating = check.required("floating_ip_id", "the floating IP's id (`openstack floating ip list`)")
        let port = check.required("port_id", "this server's port id (`openstack port list --server NAME`)")
        let credentialID = check.optional("application_credential_id")
        let username = check.optional("username")
        let userDomain = check.optional("user_domain") ?? "Default"
        let project = check.optional("project_id")
        let region = check.optional("region")
        let network = check.options["network_endpoint"] == nil ? nil : check.url("network_endpoint", default: "")
        if (credentialID == nil) == (username == nil) {
            check.report("application_credential_id", "set either `application_credential_id` (recommended) or "
                + "`username` with `project_id` (password authentication)")
        }
        if username != nil, project == nil {
            check.report("project_id", "missing: password authentication needs the project to scope the token to")
        }
        guard let floating, let port, !auth.isEmpty, (credentialID == nil) != (username == nil),
            username == nil || project != nil
        else { return nil }
        return Settings(
            authURL: auth, floatingIPID: floating, portID: port, applicationCredentialID: credentialID,
            username: username, userDomain: userDomain, projectID: project, region: region,
            networkEndpoint: network?.isEmpty == false ? network : nil)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        JSONAnswer.message(in: response, [["NeutronError", "message"], ["error", "message"], ["message"]])
    }

    let settings: Settings
    let context: CloudContext
    let session = KeystoneSession()

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.portID }
    public var address: String { "floating IP \(settings.floatingIPID)" }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let (response, call) = try await neutron("GET", nil, revision: nil, deadline: deadline)
        let answer = try JSONAnswer.parse(response, call: call, http: context.http)
        guard let floating = answer["floatingip"], let port = floating["port_id"] else {
            throw context.http.missing("`floatingip.port_id`", in: answer, call: call, status: response.status)
        }
        guard let revision = floating["revision_number"]?.idText else {
            throw context.http.missing("`floatingip.revision_number`", in: answer, call: call, status: response.status)
        }
        return ProviderState(holder: port.isNull ? nil : port.string, fence: revision)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        try await update(port: settings.portID, revision: state.fence, deadline: deadline)
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        try await update(port: nil, revision: state.fence, deadline: deadline)
        return true
    }

    private func update(port: String?, revision: String?, deadline: ContinuousClock.Instant) async throws {
        let body: [String: Any] = ["floatingip": ["port_id": port.map { $0 as Any } ?? NSNull()]]
        let (response, call) = try await neutron("PUT", body, revision: revision, deadline: deadline)
        if response.status == 412 {
            throw ProviderError(
                provider: Self.name, call: call, status: 412,
                message: "someone else changed the floating IP first (revision \(revision ?? "?") is stale); "
                    + "not moved", kind: .conflict)
        }
    }

    /// One Neutron call on the floating IP, with a token; a 401 (token revoked or expired early)
    /// gets one fresh token and one more try.
    private func neutron(
        _ method: String, _ body: [String: Any]?, revision: String?, deadline: ContinuousClock.Instant
    ) async throws -> (ProviderResponse, String) {
        let encoded = body.map(ProviderHTTP.json) ?? []
        for attempt in 0..<2 {
            let grant = try await session.value(fresh: attempt > 0) { try await authenticate(deadline: deadline) }
            let (token, endpoint) = (grant.token, grant.networkEndpoint)
            let url = "\(endpoint)/v2.0/floatingips/\(settings.floatingIPID)"
            var headers = [("X-Auth-Token", token), ("Accept", "application/json")]
            if !encoded.isEmpty { headers.append(("Content-Type", "application/json")) }
            if let revision { headers.append(("If-Match", "revision_number=\(revision)")) }
            let request = ProviderRequest(method: method, url: url, headers: headers, body: encoded)
            let response = try await context.http.send(deadline: deadline, accept: [401, 412]) { request }
            if response.status == 401, attempt == 0 { continue }
            if response.status == 401 {
                throw ProviderError(
                    provider: Self.name, call: request.call, status: 401,
                    message: context.http.scrub(Self.errorMessage(response) ?? "the token was refused"))
            }
            return (response, request.call)
        }
        throw ProviderError(provider: Self.name, call: "\(method) /v2.0/floatingips", message: "unreachable")
    }

    /// A new token and the network endpoint (`network_endpoint`, or the catalog's public one).
    private func authenticate(deadline: ContinuousClock.Instant) async throws -> KeystoneSession.Entry {
        let identity: [String: Any]
        var auth: [String: Any] = [:]
        if let id = settings.applicationCredentialID {
            identity = ["methods": ["application_credential"],
                        "application_credential": ["id": id, "secret": try context.secret("secret")]]
        } else {
            identity = ["methods": ["password"],
                        "password": ["user": ["name": settings.username ?? "", "domain": ["name": settings.userDomain],
                                              "password": try context.secret("secret")]]]
            auth["scope"] = ["project": ["id": settings.projectID ?? ""]]
        }
        auth["identity"] = identity
        let body = ProviderHTTP.json(["auth": auth])
        let request = ProviderRequest(
            method: "POST", url: "\(settings.authURL)/v3/auth/tokens",
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body)
        let response = try await context.http.send(deadline: deadline) { request }
        guard let token = response.header("X-Subject-Token"), !token.isEmpty else {
            throw context.http.malformed(request.call, status: response.status, "Keystone answered without `X-Subject-Token`")
        }
        let answer = try JSONAnswer.parse(response, call: request.call, http: context.http)
        let endpoint = try settings.networkEndpoint ?? networkEndpoint(answer, call: request.call, status: response.status)
        let expires = answer["token"]?["expires_at"]?.string.flatMap(Self.parseTime)
        return KeystoneSession.Entry(value: KeystoneGrant(token: token, networkEndpoint: endpoint), expiresAt: expires)
    }

    private func networkEndpoint(_ answer: JSONAnswer, call: String, status: Int) throws -> String {
        let catalog = answer["token"]?["catalog"]?.array ?? []
        let network = catalog.first { $0["type"]?.string == "network" }
        let endpoints = network?["endpoints"]?.array ?? []
        let chosen = endpoints.first {
            $0["interface"]?.string == "public" && (settings.region == nil || $0["region"]?.string == settings.region)
        }
        guard var url = chosen?["url"]?.string, !url.isEmpty else {
            throw context.http.malformed(call, status: status, "the token's catalog has no public `network` endpoint"
                + (settings.region.map { " in region \($0)" } ?? "") + "; set `network_endpoint`")
        }
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/v2.0") { url.removeLast(5) }
        return url
    }

    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// The cached Keystone token of one OpenStack mover, renewed a minute before it expires.
typealias KeystoneSession = ExpiringCache<KeystoneGrant>

/// A Keystone token and the network endpoint its catalog names.
struct KeystoneGrant: Sendable {
    var token: String
    var networkEndpoint: String
}
