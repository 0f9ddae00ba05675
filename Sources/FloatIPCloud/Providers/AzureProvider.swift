import FloatIPCore
import Foundation

/// `mover: azure`: a secondary IP configuration (a private address, optionally with a public IP)
/// moved from the NIC that has it to this node's NIC, through Azure Resource Manager.
///
/// Each change is a `GET` of the whole NIC, then a `PUT` of that body with `ipConfigurations`
/// changed and `If-Match: <etag>`: a 412 (someone else changed the NIC first) is retried after a
/// fresh read, at most three times. The `Azure-AsyncOperation` URL the PUT answers with is polled
/// until `Succeeded` (`Failed` or `Canceled` fails with its error). The holder is the NIC, among
/// `nic` and `peer_nics`, whose IP configurations include `private_ip`. Token: the instance
/// metadata service's managed identity (`Metadata: true`), or a service principal's client secret.
public struct AzureProvider: CloudProvider {
    public struct Settings: Sendable, Equatable {
        public var subscription: String
        public var resourceGroup: String
        public var nic: String
        public var privateIP: String
        public var configName: String
        /// The peers' NICs as (resource group, name).
        public var peers: [NIC]
        public var publicIPID: String?
        public var tenantID: String?
        public var clientID: String?
        public var apiVersion: String
        public var metadataEndpoint: String
        public var loginEndpoint: String
    }

    /// A NIC as (resource group, name).
    public struct NIC: Sendable, Equatable {
        public var resourceGroup: String
        public var name: String
    }

    public static let kind = MoverKind.azure
    public static let name = "Azure"
    public static let defaultEndpoint = "https://management.azure.com"
    public static let credentials: [(name: String, what: String)] = [("client_secret", "service principal's client secret")]
    public static let credentialsOptional = true
    static let resource = "https://management.azure.com/"

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let subscription = check.required("subscription_id", "the subscription id")
        let group = check.required("resource_group", "this NIC's resource group")
        let nic = check.required("nic", "this node's network interface (NIC) name")
        let ip = check.requiredAddress("private_ip", "the private address of the IP configuration that moves")
        let peersText = check.required("peer_nics", "the other nodes' NICs: `NAME` or `RESOURCE_GROUP/NAME`, comma-separated")
        let configName = check.optional("ip_config_name") ?? "floatip"
        let publicIP = check.optional("public_ip_id")
        let tenant = check.optional("tenant_id")
        let client = check.optional("client_id")
        let version = check.optional("api_version") ?? "2023-09-01"
        let metadata = check.metadataURL(default: "http://169.254.169.254")
        let login = check.url("login_endpoint", default: "https://login.microsoftonline.com")
        if let publicIP, !publicIP.lowercased().contains("/providers/microsoft.network/publicipaddresses/") {
            check.report("public_ip_id", "`\(publicIP)` is not a public IP's resource id "
                + "(`/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/publicIPAddresses/NAME`)")
        }
        let secretSet = check.options["client_secret_file"] != nil || check.options["client_secret_env"] != nil
        if secretSet, tenant == nil || client == nil {
            check.report(tenant == nil ? "tenant_id" : "client_id", "missing: a client secret needs `tenant_id` and `client_id`")
        }
        var peers: [NIC] = []
        for item in (peersText ?? "").split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "/").map(String.init)
            guard (1...2).contains(parts.count) else {
                check.report("peer_nics", "`\(item)` is not `NAME` or `RESOURCE_GROUP/NAME`")
                return nil
            }
            peers.append(NIC(resourceGroup: parts.count == 2 ? parts[0] : group ?? "", name: parts.last ?? ""))
        }
        guard let subscription, let group, let nic, let ip, peersText != nil, !secretSet || (tenant != nil && client != nil)
        else { return nil }
        return Settings(
            subscription: subscription, resourceGroup: group, nic: nic, privateIP: ip, configName: configName,
            peers: peers.filter { $0 != NIC(resourceGroup: group, name: nic) }, publicIPID: publicIP, tenantID: tenant,
            clientID: client, apiVersion: version, metadataEndpoint: metadata, loginEndpoint: login)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? {
        if let message = JSONAnswer.message(in: response, [["error", "message"]]) {
            return JSONAnswer.message(in: response, [["error", "code"]]).map { "\($0): \(message)" } ?? message
        }
        return AccessToken.oauthError(response)
    }

    let settings: Settings
    let context: CloudContext
    let token = AccessToken()

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
    }

    public var target: String { settings.nic }
    public var address: String { "IP configuration \(settings.privateIP)" }

    private var this: NIC { NIC(resourceGroup: settings.resourceGroup, name: settings.nic) }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        for nic in [this] + settings.peers {
            let answer: JSONAnswer
            do {
                (answer, _, _) = try await get(nic, deadline: deadline)
            } catch let error as ProviderError where error.status == 404 && nic != this {
                continue  // A peer's NIC deleted with its VM holds nothing; a wrong name shows at the claim.
            }
            if configurations(answer).contains(where: carries) {
                return ProviderState(holder: nic.name, fence: "\(nic.resourceGroup)/\(nic.name)")
            }
        }
        return ProviderState(holder: nil)
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        if let fence = state.fence, state.holder != settings.nic {
            let parts = fence.split(separator: "/").map(String.init)
            let holder = NIC(resourceGroup: parts.first ?? settings.resourceGroup, name: parts.last ?? "")
            try await update(holder, deadline: deadline) { configurations, _ in without(configurations) }
        }
        try await update(this, deadline: deadline) { configurations, answer in
            guard !configurations.contains(where: carries) else { return nil }
            let primary = configurations.first { $0["properties"]?["primary"]?.value.plain as? Bool == true } ?? configurations.first
            guard let subnet = primary?["properties"]?["subnet"]?["id"]?.string else {
                throw context.http.missing("the primary IP configuration's `properties.subnet.id`", in: answer,
                    call: "GET …/networkInterfaces/\(settings.nic)", status: 200)
            }
            var properties: [String: Any] = [
                "privateIPAddress": settings.privateIP, "privateIPAllocationMethod": "Static", "primary": false,
                "subnet": ["id": subnet],
            ]
            if let publicIP = settings.publicIPID { properties["publicIPAddress"] = ["id": publicIP] }
            return configurations.map(\.plain) + [["name": settings.configName, "properties": properties]]
        }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        try await update(this, deadline: deadline) { configurations, _ in without(configurations) }
        return true
    }

    /// The configurations without the one that moves, or nil when it is not among them.
    private func without(_ configurations: [JSONAnswer]) -> [Any]? {
        configurations.contains(where: carries) ? configurations.filter { !carries($0) }.map(\.plain) : nil
    }

    private func carries(_ configuration: JSONAnswer) -> Bool {
        configuration["properties"]?["privateIPAddress"]?.string == settings.privateIP
    }

    private func configurations(_ nic: JSONAnswer) -> [JSONAnswer] { nic["properties"]?["ipConfigurations"]?.array ?? [] }

    private func url(_ nic: NIC) -> String {
        "\(context.endpoint)/subscriptions/\(settings.subscription)/resourceGroups/\(nic.resourceGroup)"
            + "/providers/Microsoft.Network/networkInterfaces/\(nic.name)?api-version=\(settings.apiVersion)"
    }

    /// The NIC's whole resource, its ETag and the call.
    private func get(_ nic: NIC, deadline: ContinuousClock.Instant) async throws -> (JSONAnswer, String?, String) {
        let reply: (response: ProviderResponse, call: String)
        do {
            reply = try await arm("GET", url(nic), deadline: deadline)
        } catch let error as ProviderError {
            throw error.namingOption(nic == this ? "nic` and `resource_group" : "peer_nics")
        }
        let answer = try JSONAnswer.parse(reply.response, call: reply.call, http: context.http)
        return (answer, answer["etag"]?.string ?? reply.response.header("ETag"), reply.call)
    }

    /// Changes the NIC's IP configurations with `change` (given the current ones and the whole NIC,
    /// it returns the new list, or nil when nothing is to change), fenced by its ETag; a 412 is
    /// retried after a fresh read.
    private func update(
        _ nic: NIC, deadline: ContinuousClock.Instant, _ change: ([JSONAnswer], JSONAnswer) throws -> [Any]?
    ) async throws {
        let attempts = 3
        for attempt in 1...attempts {
            let (answer, etag, call) = try await get(nic, deadline: deadline)
            let current = configurations(answer)
            guard !current.isEmpty, let etag else {
                throw context.http.missing(current.isEmpty ? "`properties.ipConfigurations`" : "`etag`", in: answer, call: call, status: 200)
            }
            guard let wanted = try change(current, answer) else { return }
            guard var body = answer.plain as? [String: Any], var properties = body["properties"] as? [String: Any] else {
                throw context.http.missing("`properties`", in: answer, call: call, status: 200)
            }
            properties["ipConfigurations"] = wanted
            body["properties"] = properties
            let reply = try await arm("PUT", url(nic), body: body, headers: [("If-Match", etag)], deadline: deadline, accept: [412])
            if reply.response.status == 412 {
                guard attempt < attempts else {
                    throw ProviderError(
                        provider: Self.name, call: reply.call, status: 412,
                        message: "someone else changed NIC \(nic.name) first, \(attempts) times in a row (its ETag was stale "
                            + "each time); not moved", kind: .conflict)
                }
                continue
            }
            try await wait(reply.response, call: reply.call, deadline: deadline)
            return
        }
    }

    /// Polls `Azure-AsyncOperation` until `Succeeded`; without the header the PUT was synchronous.
    private func wait(_ response: ProviderResponse, call: String, deadline: ContinuousClock.Instant) async throws {
        guard let operation = response.header("Azure-AsyncOperation") else { return }
        // The token goes only to the API it was issued for.
        guard operation.hasPrefix(context.endpoint + "/") else {
            throw context.http.malformed(call, status: response.status,
                "`Azure-AsyncOperation` points outside \(context.endpoint); not followed")
        }
        let token = self.token
        let request: @Sendable () -> ProviderRequest = { ProviderRequest.bearerJSON("GET", operation, token: token.peek() ?? "") }
        let first = try await context.http.send(deadline: deadline, request)
        let poller = ActionPoller(
            http: context.http, interval: context.pollInterval,
            read: { answer in
                let error = answer["error"]
                let message = error?["message"]?.string.map { text in (error?["code"]?.string).map { "\($0): \(text)" } ?? text }
                return (answer["status"]?.string, message)
            },
            done: ["Succeeded"], failed: ["Failed", "Canceled"])
        try await poller.wait(
            first: try JSONAnswer.parse(first, call: request().call, http: context.http), call: request().call, deadline: deadline, request)
    }

    /// One Resource Manager call with a bearer token (renewed once on a 401).
    private func arm(
        _ method: String, _ url: String, body: [String: Any]? = nil, headers: [(String, String)] = [],
        deadline: ContinuousClock.Instant, accept: Set<Int> = []
    ) async throws -> (response: ProviderResponse, call: String) {
        try await context.sendBearer(method, url, body: body, headers: headers, token: token, deadline: deadline, accept: accept) {
            try await fetchToken(deadline: deadline)
        }
    }

    /// A new token: the client secret's (`client_credentials` at the tenant's v2.0 endpoint) when
    /// one is set, else the managed identity's from the instance metadata service.
    private func fetchToken(deadline: ContinuousClock.Instant) async throws -> AccessToken.Entry {
        let request: ProviderRequest
        if context.hasSecret("client_secret") {
            var form = "grant_type=client_credentials&client_id=" + SigV4.encode(settings.clientID ?? "")
            form += "&client_secret=" + SigV4.encode(try context.secret("client_secret"))
            form += "&scope=" + SigV4.encode(Self.resource + ".default")
            request = ProviderRequest(
                method: "POST", url: "\(settings.loginEndpoint)/\(settings.tenantID ?? "")/oauth2/v2.0/token",
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(form.utf8))
        } else {
            var url = "\(settings.metadataEndpoint)/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                + SigV4.encode(Self.resource)
            if let client = settings.clientID { url += "&client_id=" + SigV4.encode(client) }
            request = ProviderRequest(method: "GET", url: url, headers: [("Metadata", "true"), ("Accept", "application/json")])
        }
        let response = try await context.http.send(deadline: deadline) { request }
        return try AccessToken.read(response, call: request.call, http: context.http)
    }
}
