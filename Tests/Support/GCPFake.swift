import Crypto
import Foundation
import Synchronization
import _CryptoExtras

/// Google Compute Engine's alias IP calls as the Compute v1 reference describes them, with both
/// token sources, on one server:
///
/// - `GET /computeMetadata/v1/instance/service-accounts/default/token` (only with
///   `Metadata-Flavor: Google`, which it echoes) and `POST /token` (the `jwt-bearer` grant: the
///   JWT's RS256 signature checked against the service account's public key, `aud`, `iss`, `scope`,
///   at most an hour of validity; OAuth errors `{"error","error_description"}`);
/// - with `Authorization: Bearer` of a token it issued: `GET …/zones/{z}/instances/{n}`,
///   `POST …/zones/{z}/instances/{n}/updateNetworkInterface?networkInterface=nicN` (the body's
///   `fingerprint` must be the interface's current one, else 412 `conditionNotMet`; a range another
///   instance has is refused), `GET …/zones/{z}/operations/{name}` (`RUNNING` for `pollsToFinish - 1`
///   polls, then `DONE`: the change is applied then), `GET …/aggregated/instances` (one zone a page,
///   `nextPageToken`); for route mode `GET` and `DELETE …/global/routes/{name}`, `POST …/global/routes`
///   (409 `alreadyExists`) and `GET …/global/operations/{name}`; errors
///   `{"error":{"code","message","errors":[{"reason",…}]}}`.
public final class GCPFake: Sendable {
    public static let project = "floatip-test"
    public static let email = "floatip@floatip-test.iam.gserviceaccount.com"
    public static let audience = "https://oauth2.googleapis.com/token"
    /// The service account's key (made once per test process).
    public static let serviceKey: _RSA.Signing.PrivateKey = {
        do { return try _RSA.Signing.PrivateKey(keySize: .bits2048) } catch { fatalError("RSA key generation failed: \(error)") }
    }()

    /// A service-account key file's JSON for `key` (the fake's own key unless another is given).
    public static func keyFile(_ key: _RSA.Signing.PrivateKey = serviceKey, tokenURI: String = audience) -> String {
        let object: [String: Any] = [
            "type": "service_account", "project_id": project, "private_key_id": "0123456789abcdef",
            "private_key": key.pemRepresentation, "client_email": email, "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": tokenURI,
        ]
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    public struct Interface: Sendable {
        public var name: String
        public var fingerprint: String
        public var ranges: [String]
    }

    public struct Instance: Sendable {
        public var zone: String
        public var nics: [Interface]
    }

    /// A route (`routes` resource): destination, network, priority and the next hop instance's name.
    public struct Route: Sendable, Equatable {
        public var destination: String
        public var network: String
        public var priority: Int
        public var instance: String

        public init(destination: String, network: String, priority: Int, instance: String) {
            self.destination = destination
            self.network = network
            self.priority = priority
            self.instance = instance
        }
    }

    struct Operation {
        var zone: String
        var instance: String
        var nic: String
        var ranges: [String]
        var polls: Int
        /// A global operation on a route: the route afterwards (nil: deleted).
        var route: (name: String, value: Route?)? = nil
    }

    public struct State: Sendable {
        public var instances: [String: Instance] = [:]
        public var routes: [String: Route] = [:]
        /// A peer inserts this route just before our next insert is handled.
        public var racingInsert: (name: String, route: Route)?
        var operations: [String: Operation] = [:]
        public var tokens: Set<String> = []
        var issued = 0
        public var pollsToFinish = 2
        /// Someone else changes the interface just before the next `count` updates are handled.
        public var racingUpdates = 0
        /// The next operation ends `DONE` with this error.
        public var failNext: String?
    }

    public let state = Mutex(State())

    /// Instances by name, each `(zone, alias ranges on nic0)`.
    public init(instances: [String: (zone: String, ranges: [String])]) {
        state.withLock { state in
            for (name, value) in instances {
                state.instances[name] = Instance(zone: value.zone, nics: [Interface(name: "nic0", fingerprint: Self.fingerprint(), ranges: value.ranges)])
            }
        }
    }

    /// The instance whose interfaces carry `range`.
    public func holder(_ range: String) -> String? {
        state.withLock { state in state.instances.first { $0.value.nics.contains { $0.ranges.contains(range) } }?.key }
    }

    static func fingerprint() -> String { Data((0..<8).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }

    public func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        if request.method == "GET", parts == ["computeMetadata", "v1", "instance", "service-accounts", "default", "token"] {
            return metadataToken(request)
        }
        if request.method == "POST", parts == ["token"] { return exchange(request) }
        guard parts.count >= 5, parts[0] == "compute", parts[1] == "v1", parts[2] == "projects" else { return nil }
        let token = request.header("Authorization").map { String($0.dropFirst("Bearer ".count)) } ?? ""
        guard state.withLock({ $0.tokens.contains(token) }) else {
            return error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                + "or other valid authentication credential.", reason: "authError")
        }
        guard parts[3] == Self.project else { return error(404, "The resource 'projects/\(parts[3])' was not found", reason: "notFound") }
        let rest = Array(parts.dropFirst(4))
        switch (request.method, rest.count) {
        case ("GET", 2) where rest == ["aggregated", "instances"]: return aggregated(request.query)
        case ("GET", 4) where rest[0] == "zones" && rest[2] == "instances": return show(zone: rest[1], name: rest[3])
        case ("POST", 5) where rest[0] == "zones" && rest[2] == "instances" && rest[4] == "updateNetworkInterface":
            return update(zone: rest[1], name: rest[3], request)
        case ("GET", 4) where rest[0] == "zones" && rest[2] == "operations": return poll(zone: rest[1], name: rest[3])
        case ("GET", 3) where rest[0] == "global" && rest[1] == "operations": return poll(zone: "", name: rest[2])
        case ("GET", 3) where rest[0] == "global" && rest[1] == "routes": return showRoute(rest[2])
        case ("DELETE", 3) where rest[0] == "global" && rest[1] == "routes": return deleteRoute(rest[2])
        case ("POST", 2) where rest == ["global", "routes"]: return insertRoute(request)
        default: return nil
        }
    }

    private func metadataToken(_ request: FakeRequest) -> FakeResponse {
        guard request.header("Metadata-Flavor") == "Google", request.header("X-Forwarded-For") == nil else {
            return FakeResponse(status: 403, headers: [("Content-Type", "text/html")], body: Array("Missing required header: Metadata-Flavor".utf8))
        }
        var answer = FakeResponse.json(200, ["access_token": issue(), "expires_in": 3599, "token_type": "Bearer"])
        answer.headers.append(("Metadata-Flavor", "Google"))
        return answer
    }

    private func exchange(_ request: FakeRequest) -> FakeResponse {
        let form = request.form
        guard request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true,
            form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"]
        else { return oauth("unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "")") }
        let pieces = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 3, let header = Self.json(pieces[0]), let claims = Self.json(pieces[1]),
            let signature = Self.bytes(pieces[2])
        else { return oauth("invalid_request", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe") }
        guard header["alg"] as? String == "RS256" else { return oauth("invalid_grant", "Invalid JWT: unsupported algorithm") }
        guard claims["iss"] as? String == Self.email else { return oauth("invalid_grant", "Invalid grant: account not found") }
        let input = Array("\(pieces[0]).\(pieces[1])".utf8)
        guard Self.serviceKey.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
        else { return oauth("invalid_grant", "Invalid JWT Signature.") }
        let now = Int(Date().timeIntervalSince1970)
        guard claims["aud"] as? String == Self.audience, let iat = claims["iat"] as? Int, let exp = claims["exp"] as? Int,
            abs(iat - now) < 300, exp > now, exp - iat <= 3600
        else { return oauth("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.") }
        guard (claims["scope"] as? String)?.split(separator: " ").contains("https://www.googleapis.com/auth/compute") == true else {
            return oauth("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        }
        return .json(200, ["access_token": issue(), "expires_in": 3599, "token_type": "Bearer"])
    }

    private func issue() -> String {
        state.withLock { state in
            state.issued += 1
            let token = "ya29.fake-access-token-\(state.issued)"
            state.tokens.insert(token)
            return token
        }
    }

    private func resource(_ name: String, _ instance: Instance) -> [String: Any] {
        let zoneURL = "https://www.googleapis.com/compute/v1/projects/\(Self.project)/zones/\(instance.zone)"
        return [
            "kind": "compute#instance", "id": String(abs(name.hashValue % 1_000_000_000)), "name": name, "status": "RUNNING",
            "zone": zoneURL, "selfLink": "\(zoneURL)/instances/\(name)",
            "networkInterfaces": instance.nics.map { nic -> [String: Any] in
                [
                    "kind": "compute#networkInterface", "name": nic.name, "fingerprint": nic.fingerprint,
                    "network": "https://www.googleapis.com/compute/v1/projects/\(Self.project)/global/networks/default",
                    "networkIP": "10.128.0.\(2 + abs(name.hashValue % 200))",
                    "aliasIpRanges": nic.ranges.map { ["ipCidrRange": $0] },
                ]
            },
        ]
    }

    private func show(zone: String, name: String) -> FakeResponse {
        state.withLock { state in
            guard let instance = state.instances[name], instance.zone == zone else { return notFound(zone, name) }
            return .json(200, resource(name, instance))
        }
    }

    private func aggregated(_ query: String) -> FakeResponse {
        state.withLock { state in
            let zones = Set(state.instances.values.map(\.zone)).sorted()
            let page = query.split(separator: "&").first { $0.hasPrefix("pageToken=") }.flatMap { Int($0.dropFirst("pageToken=".count)) } ?? 0
            guard page < max(zones.count, 1) else { return error(400, "Invalid value for field 'pageToken'", reason: "invalid") }
            var items: [String: Any] = ["zones/unused-zone-z": ["warning": ["code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'zones/unused-zone-z' on this page."]]]
            if let zone = zones.dropFirst(page).first {
                items["zones/\(zone)"] = ["instances": state.instances.filter { $0.value.zone == zone }.sorted { $0.key < $1.key }.map { resource($0.key, $0.value) }]
            }
            var answer: [String: Any] = ["kind": "compute#instanceAggregatedList", "id": "projects/\(Self.project)/aggregated/instances", "items": items]
            if page + 1 < zones.count { answer["nextPageToken"] = String(page + 1) }
            return .json(200, answer)
        }
    }

    private func update(zone: String, name: String, _ request: FakeRequest) -> FakeResponse {
        let nicName = request.query.split(separator: "&").first { $0.hasPrefix("networkInterface=") }.map { String($0.dropFirst("networkInterface=".count)) }
        guard let nicName, let body = request.json, let ranges = body["aliasIpRanges"] as? [[String: Any]] else {
            return error(400, "Required field 'networkInterface' or 'aliasIpRanges' not specified", reason: "required")
        }
        guard let fingerprint = body["fingerprint"] as? String else {
            return error(400, "Required field 'resource.fingerprint' not specified", reason: "required")
        }
        return state.withLock { state in
            guard var instance = state.instances[name], instance.zone == zone else { return notFound(zone, name) }
            guard let index = instance.nics.firstIndex(where: { $0.name == nicName }) else {
                return error(400, "Invalid value for field 'networkInterface': '\(nicName)'. No such network interface.", reason: "invalid")
            }
            if state.racingUpdates > 0 {
                state.racingUpdates -= 1
                instance.nics[index].fingerprint = Self.fingerprint()
                state.instances[name] = instance
            }
            guard fingerprint == instance.nics[index].fingerprint else {
                return error(412, "Supplied fingerprint does not match current metadata fingerprint.", reason: "conditionNotMet")
            }
            let wanted = ranges.compactMap { $0["ipCidrRange"] as? String }
            guard wanted.count == ranges.count else {
                return error(400, "Required field 'resource.aliasIpRanges[].ipCidrRange' not specified", reason: "required")
            }
            for range in wanted {
                if let other = state.instances.first(where: { $0.key != name && $0.value.nics.contains { $0.ranges.contains(range) } }) {
                    return error(400, "Invalid value for field 'resource.aliasIpRanges[0].ipCidrRange': '\(range)'. "
                        + "IP range is already in use by instance \(other.key).", reason: "invalid")
                }
            }
            instance.nics[index].fingerprint = Self.fingerprint()
            state.instances[name] = instance
            let operation = "operation-\(state.issued)-\(state.operations.count + 1)"
            state.operations[operation] = Operation(zone: zone, instance: name, nic: nicName, ranges: wanted, polls: 0)
            return .json(200, self.operation(operation, zone: zone, target: name, status: "RUNNING", error: nil))
        }
    }

    private func poll(zone: String, name: String) -> FakeResponse {
        state.withLock { state in
            guard var operation = state.operations[name], operation.zone == zone else {
                return error(404, "The resource 'projects/\(Self.project)/zones/\(zone)/operations/\(name)' was not found", reason: "notFound")
            }
            operation.polls += 1
            state.operations[name] = operation
            guard operation.polls >= state.pollsToFinish else {
                return .json(200, self.operation(name, zone: zone, target: operation.instance, status: "RUNNING", error: nil))
            }
            if operation.polls == state.pollsToFinish {
                if let failure = state.failNext {
                    state.failNext = nil
                    state.operations[name]?.polls = Int.max / 2
                    return .json(200, self.operation(name, zone: zone, target: operation.instance, status: "DONE", error: failure))
                }
                if let route = operation.route {
                    state.routes[route.name] = route.value
                } else if let index = state.instances[operation.instance]?.nics.firstIndex(where: { $0.name == operation.nic }) {
                    state.instances[operation.instance]?.nics[index].ranges = operation.ranges
                }
            }
            return .json(200, self.operation(name, zone: zone, target: operation.instance, status: "DONE", error: nil))
        }
    }

    private func operation(_ name: String, zone: String, target: String, status: String, error: String?) -> [String: Any] {
        let projectURL = "https://www.googleapis.com/compute/v1/projects/\(Self.project)"
        let scopeURL = zone.isEmpty ? "\(projectURL)/global" : "\(projectURL)/zones/\(zone)"
        var object: [String: Any] = [
            "kind": "compute#operation", "id": "7000000000000000001", "name": name,
            "operationType": zone.isEmpty ? "insert" : "updateNetworkInterface",
            "targetLink": zone.isEmpty ? "\(projectURL)/global/routes/\(target)" : "\(scopeURL)/instances/\(target)",
            "status": status, "progress": status == "DONE" ? 100 : 0, "selfLink": "\(scopeURL)/operations/\(name)",
        ]
        if !zone.isEmpty { object["zone"] = scopeURL }
        if let error { object["error"] = ["errors": [["code": "RESOURCE_OPERATION_FAILED", "message": error]]] }
        return object
    }

    private func routeResource(_ name: String, _ route: Route) -> [String: Any] {
        let projectURL = "https://www.googleapis.com/compute/v1/projects/\(Self.project)"
        let zone = state.withLock { $0.instances[route.instance]?.zone } ?? "unknown-zone"
        return [
            "kind": "compute#route", "id": "5000000000000000001", "name": name, "destRange": route.destination,
            "network": "\(projectURL)/global/networks/\(route.network)", "priority": route.priority,
            "nextHopInstance": "\(projectURL)/zones/\(zone)/instances/\(route.instance)", "selfLink": "\(projectURL)/global/routes/\(name)",
        ]
    }

    private func showRoute(_ name: String) -> FakeResponse {
        guard let route = state.withLock({ $0.routes[name] }) else {
            return error(404, "The resource 'projects/\(Self.project)/global/routes/\(name)' was not found", reason: "notFound")
        }
        return .json(200, routeResource(name, route))
    }

    private func deleteRoute(_ name: String) -> FakeResponse {
        state.withLock { state in
            guard state.routes[name] != nil else {
                return error(404, "The resource 'projects/\(Self.project)/global/routes/\(name)' was not found", reason: "notFound")
            }
            let id = "operation-route-\(state.operations.count + 1)"
            state.operations[id] = Operation(zone: "", instance: name, nic: "", ranges: [], polls: 0, route: (name, nil))
            return .json(200, operation(id, zone: "", target: name, status: "RUNNING", error: nil))
        }
    }

    private func insertRoute(_ request: FakeRequest) -> FakeResponse {
        guard let body = request.json, let name = body["name"] as? String, let destination = body["destRange"] as? String,
            let network = (body["network"] as? String)?.split(separator: "/").last,
            let hop = (body["nextHopInstance"] as? String)?.split(separator: "/").map(String.init), hop.count >= 2,
            hop[hop.count - 2] == "instances"
        else { return error(400, "Invalid value for field 'resource': name, destRange, network and nextHopInstance are required", reason: "invalid") }
        return state.withLock { state in
            if let race = state.racingInsert {
                state.racingInsert = nil
                state.routes[race.name] = race.route
            }
            guard state.routes[name] == nil else {
                return error(409, "The resource 'projects/\(Self.project)/global/routes/\(name)' already exists", reason: "alreadyExists")
            }
            guard let instance = hop.last, state.instances[instance] != nil else {
                return error(400, "Invalid value for field 'resource.nextHopInstance'", reason: "invalid")
            }
            let route = Route(destination: destination, network: String(network), priority: body["priority"] as? Int ?? 1000, instance: instance)
            let id = "operation-route-\(state.operations.count + 1)"
            state.operations[id] = Operation(zone: "", instance: name, nic: "", ranges: [], polls: 0, route: (name, route))
            return .json(200, operation(id, zone: "", target: name, status: "RUNNING", error: nil))
        }
    }

    private func notFound(_ zone: String, _ name: String) -> FakeResponse {
        error(404, "The resource 'projects/\(Self.project)/zones/\(zone)/instances/\(name)' was not found", reason: "notFound")
    }

    private func error(_ code: Int, _ message: String, reason: String) -> FakeResponse {
        .json(code, ["error": ["code": code, "message": message, "errors": [["message": message, "domain": "global", "reason": reason]]]])
    }

    private func oauth(_ code: String, _ description: String) -> FakeResponse {
        .json(400, ["error": code, "error_description": description])
    }

    public static func bytes(_ base64URL: String) -> [UInt8]? {
        var text = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).map(Array.init)
    }

    public static func json(_ base64URL: String) -> [String: Any]? {
        bytes(base64URL).flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }
}
