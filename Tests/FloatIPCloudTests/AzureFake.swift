import Foundation
import Synchronization

/// Azure's calls for moving an IP configuration, as the Resource Manager and Entra ID references
/// describe them, on one server:
///
/// - `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…` (only with
///   `Metadata: true`; `expires_in` a string, as the instance metadata service answers) and
///   `POST /{tenant}/oauth2/v2.0/token` (`client_credentials`; AADSTS errors);
/// - with a token it issued: `GET` and `PUT …/resourceGroups/{rg}/providers/Microsoft.Network/
///   networkInterfaces/{nic}?api-version=…` (`If-Match` must be the NIC's ETag, else 412; a private
///   or public address that another NIC has is refused; the answer carries `Azure-AsyncOperation`),
///   and `GET …/locations/{region}/operations/{id}` (`InProgress` for `pollsToFinish - 1` polls,
///   then `Succeeded`: the change is applied then). Errors `{"error":{"code","message"}}`.
final class AzureFake: Sendable {
    static let subscription = "00000000-0000-0000-0000-00000000feed"
    static let tenant = "11111111-2222-3333-4444-555555555555"
    static let clientID = "66666666-7777-8888-9999-000000000000"
    static let secret = "azure-client-secret~0123456789abcdef"
    static let subnet = "/subscriptions/\(subscription)/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"

    struct Configuration {
        var name: String
        var address: String
        var primary: Bool
        var publicIP: String?
    }

    struct Operation {
        var nic: String
        var configurations: [Configuration]
        var polls: Int
    }

    struct State {
        var nics: [String: (etag: String, configurations: [Configuration])] = [:]
        var operations: [String: Operation] = [:]
        var tokens: Set<String> = []
        var issued = 0
        var pollsToFinish = 2
        /// Someone else changes the NIC just before the next `count` PUTs are handled.
        var racingUpdates = 0
        /// The next operation ends `Failed` with this message.
        var failNext: String?
    }

    let state = Mutex(State())

    /// NICs in resource group `rg` by name, each with its primary address and the secondary ones.
    init(nics: [String: (primary: String, secondary: [String])]) {
        state.withLock { state in
            for (name, addresses) in nics {
                state.nics[name] = (Self.etag(), [Configuration(name: "ipconfig1", address: addresses.primary, primary: true)]
                    + addresses.secondary.map { Configuration(name: "floatip", address: $0, primary: false) })
            }
        }
    }

    /// The NIC whose configurations include `address` as a secondary.
    func holder(_ address: String) -> String? {
        state.withLock { state in state.nics.first { $0.value.configurations.contains { !$0.primary && $0.address == address } }?.key }
    }

    func publicIP(of nic: String) -> String? { state.withLock { $0.nics[nic]?.configurations.compactMap(\.publicIP).first } }

    static func etag() -> String { "W/\"\(UUID().uuidString.lowercased())\"" }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        if request.method == "GET", parts == ["metadata", "identity", "oauth2", "token"] { return managedIdentity(request) }
        if request.method == "POST", parts.count == 4, parts[0] == Self.tenant, parts[1...] == ["oauth2", "v2.0", "token"] {
            return clientCredentials(request)
        }
        guard parts.count >= 6, parts[0] == "subscriptions", parts[1] == Self.subscription else { return nil }
        guard request.query.hasPrefix("api-version=20") else {
            return error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
        }
        let token = request.header("Authorization").map { String($0.dropFirst("Bearer ".count)) } ?? ""
        guard state.withLock({ $0.tokens.contains(token) }) else {
            return error(401, "InvalidAuthenticationToken", "The access token is invalid.")
        }
        if parts.count == 8, parts[2...5] == ["resourceGroups", "rg", "providers", "Microsoft.Network"], parts[6] == "networkInterfaces" {
            switch request.method {
            case "GET": return show(parts[7])
            case "PUT": return update(parts[7], request)
            default: return nil
            }
        }
        if request.method == "GET", parts.count == 8, parts[2...4] == ["providers", "Microsoft.Network", "locations"], parts[6] == "operations" {
            return poll(parts[7])
        }
        return nil
    }

    private func managedIdentity(_ request: FakeRequest) -> FakeResponse {
        guard request.header("Metadata") == "true" else {
            return .json(400, ["error": "invalid_request", "error_description": "Required metadata header not specified"])
        }
        guard request.query.contains("api-version=2018-02-01"), request.query.contains("resource=https%3A%2F%2Fmanagement.azure.com%2F") else {
            return .json(400, ["error": "invalid_resource", "error_description": "AADSTS500011: The resource principal was not found"])
        }
        let now = Int(Date().timeIntervalSince1970)
        return .json(200, [
            "access_token": issue(), "refresh_token": "", "expires_in": "86399", "expires_on": String(now + 86399),
            "not_before": String(now), "resource": "https://management.azure.com/", "token_type": "Bearer",
        ])
    }

    private func clientCredentials(_ request: FakeRequest) -> FakeResponse {
        let form = request.form
        guard form["grant_type"] == "client_credentials", form["scope"] == "https://management.azure.com/.default" else {
            return .json(400, ["error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'grant_type'."])
        }
        guard form["client_id"] == Self.clientID else {
            return .json(400, ["error": "unauthorized_client", "error_description": "AADSTS700016: Application with identifier '\(form["client_id"] ?? "")' was not found in the directory."])
        }
        guard form["client_secret"] == Self.secret else {
            return .json(401, ["error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215]])
        }
        return .json(200, ["token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": issue()])
    }

    private func issue() -> String {
        state.withLock { state in
            state.issued += 1
            let token = "eyJ0eXAiOiJKV1QifQ.fake-arm-token-\(state.issued)"
            state.tokens.insert(token)
            return token
        }
    }

    private func id(_ nic: String) -> String {
        "/subscriptions/\(Self.subscription)/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/\(nic)"
    }

    private func resource(_ name: String, etag: String, _ configurations: [Configuration], state provisioning: String = "Succeeded") -> [String: Any] {
        [
            "name": name, "id": id(name), "etag": etag, "type": "Microsoft.Network/networkInterfaces", "location": "westeurope",
            "properties": [
                "provisioningState": provisioning, "resourceGuid": "a0b1c2d3-0000-4000-8000-\(String(format: "%012d", abs(name.hashValue % 1_000_000)))",
                "enableAcceleratedNetworking": false, "enableIPForwarding": false, "macAddress": "00-0D-3A-00-00-01",
                "virtualMachine": ["id": "/subscriptions/\(Self.subscription)/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/\(name)-vm"],
                "ipConfigurations": configurations.map { configuration -> [String: Any] in
                    var properties: [String: Any] = [
                        "provisioningState": "Succeeded", "privateIPAddress": configuration.address, "privateIPAllocationMethod": "Static",
                        "privateIPAddressVersion": "IPv4", "primary": configuration.primary, "subnet": ["id": Self.subnet],
                    ]
                    if let publicIP = configuration.publicIP { properties["publicIPAddress"] = ["id": publicIP] }
                    return ["name": configuration.name, "id": "\(id(name))/ipConfigurations/\(configuration.name)", "etag": etag,
                            "type": "Microsoft.Network/networkInterfaces/ipConfigurations", "properties": properties]
                },
            ] as [String: Any],
        ]
    }

    private func notFound(_ nic: String) -> FakeResponse {
        error(404, "ResourceNotFound", "The Resource 'Microsoft.Network/networkInterfaces/\(nic)' under resource group 'rg' was not found. "
            + "For more details please go to https://aka.ms/ARMResourceNotFoundFix")
    }

    private func show(_ name: String) -> FakeResponse {
        state.withLock { state in
            guard let nic = state.nics[name] else { return notFound(name) }
            return .json(200, resource(name, etag: nic.etag, nic.configurations), headers: [("ETag", nic.etag)])
        }
    }

    private func update(_ name: String, _ request: FakeRequest) -> FakeResponse {
        guard let body = request.json, body["location"] as? String == "westeurope",
            let list = (body["properties"] as? [String: Any])?["ipConfigurations"] as? [[String: Any]]
        else { return error(400, "InvalidRequestFormat", "Cannot parse the request: the NIC's location and properties.ipConfigurations are required.") }
        var configurations: [Configuration] = []
        for item in list {
            let properties = item["properties"] as? [String: Any] ?? [:]
            guard let configName = item["name"] as? String, let address = properties["privateIPAddress"] as? String,
                (properties["subnet"] as? [String: Any])?["id"] as? String == Self.subnet
            else { return error(400, "InvalidRequestFormat", "An IP configuration lacks its name, privateIPAddress or subnet.") }
            configurations.append(Configuration(
                name: configName, address: address, primary: properties["primary"] as? Bool ?? false,
                publicIP: (properties["publicIPAddress"] as? [String: Any])?["id"] as? String))
        }
        guard configurations.filter(\.primary).count == 1 else {
            return error(400, "NicMustHaveExactlyOnePrimaryIpConfiguration", "Network interface must have exactly one primary IP configuration.")
        }
        let host = request.host
        return state.withLock { state in
            guard var nic = state.nics[name] else { return notFound(name) }
            if state.racingUpdates > 0 {
                state.racingUpdates -= 1
                nic.etag = Self.etag()
                state.nics[name] = nic
            }
            guard request.header("If-Match") == nic.etag else {
                return error(412, "PreconditionFailed", "Precondition failed. The If-Match header does not match the resource's ETag.")
            }
            for configuration in configurations {
                if let other = state.nics.first(where: { $0.key != name && $0.value.configurations.contains { $0.address == configuration.address } }) {
                    return error(400, "PrivateIPAddressInUse", "IP configuration \(id(name))/ipConfigurations/\(configuration.name) is using the "
                        + "private IP address \(configuration.address) which is already allocated to resource \(id(other.key)).")
                }
                if let publicIP = configuration.publicIP,
                    state.nics.contains(where: { $0.key != name && $0.value.configurations.contains { $0.publicIP == publicIP } }) {
                    return error(400, "PublicIPAddressInUse", "Public IP address \(publicIP) is in use by another IP configuration.")
                }
            }
            nic.etag = Self.etag()
            state.nics[name] = nic
            let operation = UUID().uuidString.lowercased()
            state.operations[operation] = Operation(nic: name, configurations: configurations, polls: 0)
            let url = "http://\(host)/subscriptions/\(Self.subscription)/providers/Microsoft.Network/locations/westeurope/operations/"
                + "\(operation)?api-version=2023-09-01"
            return .json(200, resource(name, etag: nic.etag, configurations, state: "Updating"),
                headers: [("Azure-AsyncOperation", url), ("Retry-After", "10")])
        }
    }

    private func poll(_ id: String) -> FakeResponse {
        state.withLock { state in
            guard var operation = state.operations[id] else {
                return error(404, "OperationNotFound", "The operation \(id) was not found.")
            }
            operation.polls += 1
            state.operations[id] = operation
            if operation.polls < state.pollsToFinish { return .json(200, ["status": "InProgress"]) }
            if operation.polls == state.pollsToFinish {
                if let failure = state.failNext {
                    state.failNext = nil
                    state.operations[id]?.polls = Int.max / 2
                    return .json(200, ["status": "Failed", "error": ["code": "InternalServerError", "message": failure]])
                }
                state.nics[operation.nic]?.configurations = operation.configurations
            }
            return .json(200, ["status": "Succeeded"])
        }
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        .json(status, ["error": ["code": code, "message": message]])
    }
}
