import FloatIPCore
import Foundation

/// `mover: gcp`: a Google Compute Engine alias IP range, moved the way Pacemaker's
/// gcp-vpc-move-vip moves it: removed from the instance that has it, then added to this one.
///
/// Each change is `POST …/zones/{zone}/instances/{name}/updateNetworkInterface?networkInterface=nic0`
/// with the interface's `aliasIpRanges` and its current `fingerprint` from a fresh
/// `GET …/instances/{name}`; a 412 (the fingerprint is stale: someone else changed the interface
/// first) is retried after a fresh read, at most three times. The zone operation it returns is
/// polled (`GET …/zones/{zone}/operations/{name}`) until `DONE`, and fails with its `error`.
/// The holder is the instance whose interface carries the range: among `instance` and
/// `peer_instances` when they are given, else from `GET …/aggregated/instances` (every zone, every
/// page). Token: the metadata server, or a service-account key (`GCPToken`). With `route`, a route
/// moves instead (`GCPProvider+Route.swift`).
public struct GCPProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var project: String
        public var zone: String
        public var instance: String
        /// The alias range, or the route's destination, always with its prefix length (`10.128.0.50/32`).
        public var aliasRange: String
        /// Route mode: the route that points the range at the holder; nil in alias mode.
        public var route: Route?
        public var networkInterface: String
        public var subnetworkRangeName: String?
        /// The peers' instances as (zone, name); empty means "search the project".
        public var peers: [Instance]
        public var metadataEndpoint: String
        public var tokenEndpoint: String?
        public var allowPlainHTTP: Bool
    }

    /// A route (`routes` with `nextHopInstance`, what gcp-vpc-move-route moves): its name, network and priority.
    public struct Route: Sendable, Equatable {
        public var name: String
        public var network: String
        public var priority: Int
    }

    /// An instance as (zone, name).
    public struct Instance: Sendable, Equatable {
        public var zone: String
        public var name: String
    }

    public static let kind = MoverKind.gcp
    public static let name = "Google Compute Engine"
    public static let defaultEndpoint = "https://compute.googleapis.com"
    public static let defaultMetadataEndpoint = "http://metadata.google.internal"
    public static let credentials: [(name: String, what: String)] = [("key", "service-account key (JSON)")]
    public static let credentialsOptional = true

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let project = check.required("project", "the project id")
        let zone = check.required("zone", "this instance's zone, e.g. `europe-west1-b`")
        let instance = check.required("instance", "this instance's name")
        let routeName = check.optional("route")
        let alias = routeName == nil
            ? check.required("alias_ip", "the alias IP range to move, e.g. `10.128.0.50/32`; or `route` with `destination`")
            : check.required("destination", "the range the route sends here, e.g. `10.200.0.50/32`")
        if routeName != nil, check.options["alias_ip"] != nil {
            check.report("alias_ip", "set either `alias_ip` (alias IP mode) or `route` with `destination` (route mode), not both")
        }
        let network = routeName == nil ? nil : check.required("network", "the VPC network of the route, e.g. `default`")
        let priority = check.optional("route_priority").map { text -> Int in
            guard let number = Int(text), (0...65535).contains(number) else {
                check.report("route_priority", "`\(text)` is not a route priority (0 to 65535)")
                return 1000
            }
            return number
        } ?? 1000
        let nic = check.optional("network_interface") ?? "nic0"
        let rangeName = check.optional("subnetwork_range_name")
        let metadata = check.metadataURL(default: defaultMetadataEndpoint)
        let token = check.options["token_endpoint"] == nil ? nil : check.url("token_endpoint", default: "")
        let plain = check.flag(PlainHTTP.allowOption)
        var peers: [Instance] = []
        for item in (check.optional("peer_instances") ?? "").split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "/").map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
                check.report("peer_instances", "`\(item)` is not `NAME` or `ZONE/NAME`")
                return nil
            }
            peers.append(Instance(zone: parts.count == 2 ? parts[0] : zone ?? "", name: parts.last ?? ""))
        }
        var range: String?
        if let alias {
            range = normalised(alias)
            if case .failure = IPPrefix.parse(range ?? "") {
                check.report(routeName == nil ? "alias_ip" : "destination", "`\(alias)` is not an address or a range (`10.128.0.50/32`)")
                range = nil
            }
        }
        guard let project, let zone, let instance, let range, routeName == nil || network != nil else { return nil }
        return Settings(
            project: project, zone: zone, instance: instance, aliasRange: range,
            route: routeName.map { Route(name: $0, network: network ?? "", priority: priority) }, networkInterface: nic,
            subnetworkRangeName: rangeName, peers: peers.filter { $0 != Instance(zone: zone, name: instance) },
            metadataEndpoint: metadata, tokenEndpoint: token?.isEmpty == false ? token : nil, allowPlainHTTP: plain)
    }

    /// A range with its prefix length: Compute Engine stores `10.128.0.50` as `10.128.0.50/32`.
    static func normalised(_ range: String) -> String {
        if range.contains("/") { return range }
        return range + (range.contains(":") ? "/128" : "/32")
    }

    public static func credentialProblem(_ name: String, value: String) -> String? {
        do {
            _ = try GCPToken.ServiceAccountKey.parse(value, option: name)
            return nil
        } catch {
            return error.message
        }
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        if let message = JSONAnswer.message(in: response, [["error", "message"]]) { return message }
        return AccessToken.oauthError(response)
    }

    let settings: Settings
    let context: CloudContext
    let token = AccessToken()

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.instance }
    public var address: String {
        settings.route.map { "route \($0.name) (\(settings.aliasRange))" } ?? "alias IP range \(settings.aliasRange)"
    }

    var this: Instance { Instance(zone: settings.zone, name: settings.instance) }
    var projectURL: String { "\(context.endpoint)/compute/v1/projects/\(settings.project)" }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        if let route = settings.route { return try await readRoute(route, deadline: deadline) }
        if settings.peers.isEmpty { return try await search(deadline: deadline) }
        for instance in [this] + settings.peers {
            let answer: JSONAnswer
            do {
                (answer, _) = try await get(instance, deadline: deadline)
            } catch let error as ProviderError where error.status == 404 && instance != this {
                continue  // A peer deleted (or recreated elsewhere) holds nothing; a wrong name shows at the claim.
            }
            if nic(of: answer, carrying: settings.aliasRange) != nil {
                return ProviderState(holder: instance.name, fence: "\(instance.zone)/\(instance.name)")
            }
        }
        return ProviderState(holder: nil)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        if let route = settings.route { return try await replaceRoute(route, over: state, deadline: deadline) }
        if let fence = state.fence, state.holder != settings.instance {
            let parts = fence.split(separator: "/").map(String.init)
            let holder = Instance(zone: parts.first ?? settings.zone, name: parts.last ?? "")
            try await update(holder, nicNamed: nil, deadline: deadline) { ranges in ranges.filter { !carries($0) } }
        }
        try await update(this, nicNamed: settings.networkInterface, deadline: deadline) { ranges in
            guard !ranges.contains(where: carries) else { return ranges }
            var range: [String: Any] = ["ipCidrRange": settings.aliasRange]
            if let name = settings.subnetworkRangeName { range["subnetworkRangeName"] = name }
            return ranges + [range]
        }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        if let route = settings.route {
            try await deleteRoute(route, deadline: deadline)
            return true
        }
        try await update(this, nicNamed: settings.networkInterface, deadline: deadline) { ranges in ranges.filter { !carries($0) } }
        return true
    }

    private func carries(_ range: [String: Any]) -> Bool {
        (range["ipCidrRange"] as? String).map(Self.normalised) == settings.aliasRange
    }

    /// The instance whose interface carries the range, across the project (`aggregatedList`, every page).
    private func search(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        var pageToken: String?
        for _ in 0..<100 {
            var url = "\(projectURL)/aggregated/instances"
            if let pageToken { url += "?pageToken=" + (pageToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            let reply = try await compute("GET", url, body: nil, deadline: deadline)
            let answer = try JSONAnswer.parse(reply.response, call: reply.call, http: context.http)
            guard let items = answer["items"], case .object(let zones) = items.value else {
                throw context.http.missing("`items`", in: answer, call: reply.call, status: reply.response.status)
            }
            for key in zones.keys.sorted() {
                for instance in items[key]?["instances"]?.array ?? [] where nic(of: instance, carrying: settings.aliasRange) != nil {
                    guard let name = instance["name"]?.string else {
                        throw context.http.missing("instance `name`", in: instance, call: reply.call, status: reply.response.status)
                    }
                    let zone = instance["zone"]?.string?.split(separator: "/").last.map(String.init)
                        ?? String(key.dropFirst("zones/".count))
                    return ProviderState(holder: name, fence: "\(zone)/\(name)")
                }
            }
            guard let next = answer["nextPageToken"]?.string, !next.isEmpty else { return ProviderState(holder: nil) }
            pageToken = next
        }
        throw context.http.malformed("GET /compute/v1/projects/\(settings.project)/aggregated/instances", status: 200,
            "more than 100 pages of instances")
    }

    /// The interface of `instance` (an `Instance` resource) whose alias ranges include `range`.
    private func nic(of instance: JSONAnswer, carrying range: String) -> JSONAnswer? {
        (instance["networkInterfaces"]?.array ?? []).first { nic in
            (nic["aliasIpRanges"]?.array ?? []).contains { $0["ipCidrRange"]?.string.map(Self.normalised) == range }
        }
    }

    private func get(_ instance: Instance, deadline: ContinuousClock.Instant) async throws -> (JSONAnswer, Int) {
        let reply: (response: ProviderResponse, call: String)
        do {
            reply = try await compute("GET", instanceURL(instance), body: nil, deadline: deadline)
        } catch let error as ProviderError {
            throw error.namingOption(instance == this ? "instance` and `zone" : "peer_instances")
        }
        return (try JSONAnswer.parse(reply.response, call: reply.call, http: context.http), reply.response.status)
    }

    private func instanceURL(_ instance: Instance) -> String {
        "\(projectURL)/zones/\(instance.zone)/instances/\(instance.name)"
    }

    /// Changes the alias ranges of one interface of `instance` (`nicNamed`, or the one carrying the
    /// range) with `change`, fenced by its fingerprint; a stale fingerprint (412) is retried after a
    /// fresh read. Returns quietly when `change` changes nothing.
    private func update(
        _ instance: Instance, nicNamed: String?, deadline: ContinuousClock.Instant,
        _ change: ([[String: Any]]) -> [[String: Any]]
    ) async throws {
        let attempts = 3
        for attempt in 1...attempts {
            let (answer, status) = try await get(instance, deadline: deadline)
            let found = nicNamed.map { name in (answer["networkInterfaces"]?.array ?? []).first { $0["name"]?.string == name } }
                ?? nic(of: answer, carrying: settings.aliasRange)
            let call = "GET /compute/v1/projects/\(settings.project)/zones/\(instance.zone)/instances/\(instance.name)"
            guard let found, let nicName = found["name"]?.string else {
                if nicNamed == nil { return }  // The range left that instance meanwhile.
                throw context.http.missing("network interface `\(nicNamed ?? "")` (option `network_interface`)",
                    in: answer, call: call, status: status)
            }
            guard let fingerprint = found["fingerprint"]?.string else {
                throw context.http.missing("`fingerprint`", in: found, call: call, status: status)
            }
            let current = (found["aliasIpRanges"]?.array ?? []).map(Self.plain)
            let wanted = change(current)
            if wanted.map({ $0["ipCidrRange"] as? String }) == current.map({ $0["ipCidrRange"] as? String }) { return }
            let url = instanceURL(instance) + "/updateNetworkInterface?networkInterface=\(nicName)"
            let reply = try await compute(
                "POST", url, body: ["aliasIpRanges": wanted, "fingerprint": fingerprint], deadline: deadline, accept: [412])
            if reply.response.status == 412 {
                guard attempt < attempts else {
                    throw ProviderError(
                        provider: Self.name, call: reply.call, status: 412,
                        message: "someone else changed \(instance.name)'s \(nicName) first, \(attempts) times in a row "
                            + "(the fingerprint was stale each time); not moved", kind: .conflict)
                }
                continue
            }
            let operation = try JSONAnswer.parse(reply.response, call: reply.call, http: context.http)
            try await wait(for: operation, call: reply.call, deadline: deadline)
            return
        }
    }

    /// An alias range object as plain JSON values, to send back unchanged.
    private static func plain(_ range: JSONAnswer) -> [String: Any] {
        var object: [String: Any] = [:]
        if let cidr = range["ipCidrRange"]?.string { object["ipCidrRange"] = cidr }
        if let name = range["subnetworkRangeName"]?.string { object["subnetworkRangeName"] = name }
        return object
    }

    /// Polls the operation (zonal, or global without a `zone`) until `DONE`; an `error` in it fails the move.
    func wait(for operation: JSONAnswer, call: String, deadline: ContinuousClock.Instant) async throws {
        guard let name = operation["name"]?.string else {
            throw context.http.missing("operation `name`", in: operation, call: call, status: 200)
        }
        let scope = operation["zone"]?.string?.split(separator: "/").last.map { "zones/\($0)" } ?? "global"
        let url = "\(projectURL)/\(scope)/operations/\(name)"
        let poller = ActionPoller(
            http: context.http, interval: context.pollInterval,
            read: { answer in
                let errors = answer["error"]?["errors"]?.array ?? []
                let message = errors.compactMap { $0["message"]?.string }.joined(separator: "; ")
                let status = answer["status"]?.string
                return (status == "DONE" && !errors.isEmpty ? "DONE with an error" : status, message.isEmpty ? nil : message)
            },
            done: ["DONE"], failed: ["DONE with an error"])
        let token = self.token
        try await poller.wait(first: operation, call: call, deadline: deadline) {
            ProviderRequest.bearerJSON("GET", url, token: token.peek() ?? "")
        }
    }
}
