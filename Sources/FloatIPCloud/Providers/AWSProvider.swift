import FloatIPCore
import Foundation

/// `mover: aws`: EC2, in one of three forms.
///
/// - Elastic IP (`allocation_id`): `AssociateAddress` with `AllowReassociation=true` to this
///   server's `instance_id` (or `network_interface_id`, optionally `private_ip`); holder from
///   `DescribeAddresses`; release `DisassociateAddress`.
/// - Secondary private IP (`private_ip` and `network_interface_id`, no `allocation_id`), inside a
///   VPC: `AssignPrivateIpAddresses` with `AllowReassignment=true`; holder from
///   `DescribeNetworkInterfaces`; release `UnassignPrivateIpAddresses`. The address must also be on
///   the interface: give the group an `interface` and the local mover configures it.
/// - Route tables (`overlay: true` with `route_tables` and `network_interface_id`): the group's
///   addresses, outside the VPC's ranges, routed to this server's interface in every listed table
///   (`AWSProvider+RouteTables.swift`); the addresses are configured locally.
///
/// Credentials: `AWSCredentialChain` (the options' keys, or the SDKs' chain: environment, shared
/// credentials file, instance profile). Region: `region`, else `AWS_REGION`, else the instance's.
public struct AWSProvider: CloudProvider {
    public enum Form: Sendable, Equatable {
        case elasticIP(allocationID: String)
        case secondaryIP(address: String)
        /// The route-table ids, and the destinations (`198.18.0.100/32`) routed in each.
        case routeTables(tables: [String], destinations: [String])
    }

    public struct Settings: Sendable, Equatable {
        /// `region`; nil: `AWS_REGION`, else the instance metadata's.
        public var region: String?
        public var credentials: AWSCredentialSource
        /// `shared_credentials_file`.
        public var sharedCredentialsFile: String?
        /// `imds_endpoint`: where the instance metadata service is (only tests change it).
        public var metadataEndpoint: String
        public var form: Form
        /// This server: an instance id, or a network interface id.
        public var instanceID: String?
        public var networkInterfaceID: String?
        public var privateIP: String?
    }

    public static let kind = MoverKind.aws
    public static let name = "AWS EC2"
    public static let defaultEndpoint = ""
    public static let credentials: [(name: String, what: String)] = [
        ("secret_key", "AWS secret access key"), ("session_token", "AWS session token"),
    ]
    public static let credentialsOptional = true

    /// The route-table form configures the addresses here: nothing else puts them on the interface.
    public static func needsLocalAddress(_ options: [String: String]) -> Bool { options["route_tables"] != nil }

    public static func otherCredentialProblems(_ options: [String: String], environment: [String: String]) -> [(String, String)] {
        var check = OptionCheck(options)
        guard let source = credentialSource(&check), check.problems.isEmpty, !options.keys.contains("access_key_id") else { return [] }
        let store = CredentialStore(options: options, names: credentials, environment: environment)
        do throws(CredentialProblem) {
            _ = try AWSCredentialChain.local(source, sharedFile: options["shared_credentials_file"], store: store)
            return []
        } catch {
            return [(error.key, error.message)]
        }
    }

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let region = check.optional("region")
        let source = credentialSource(&check)
        let sharedFile = check.optional("shared_credentials_file")
        if let sharedFile, !sharedFile.hasPrefix("/") {
            check.report("shared_credentials_file", "`\(sharedFile)` is not an absolute path")
        }
        let metadata = metadataEndpoint(&check)
        let allocation = check.optional("allocation_id")
        let instance = check.optional("instance_id")
        let interface = check.optional("network_interface_id")
        let privateIP = check.optional("private_ip")
        let overlay = check.flag("overlay")
        let tables = check.optional("route_tables")
        if let privateIP, IPAddress(privateIP) == nil {
            check.report("private_ip", "`\(privateIP)` is not an IP address")
            return nil
        }
        let form: Form
        if overlay || tables != nil {
            guard let routed = routeTableForm(&check, tables: tables, overlay: overlay, allocation: allocation,
                                              instance: instance, interface: interface, privateIP: privateIP)
            else { return nil }
            form = routed
        } else if let allocation {
            guard (instance == nil) != (interface == nil) else {
                check.report(instance == nil ? "instance_id" : "network_interface_id",
                    "an Elastic IP (`allocation_id`) needs exactly one of `instance_id` (this server) or "
                        + "`network_interface_id` (with `private_ip` optional)")
                return nil
            }
            if privateIP != nil, interface == nil {
                check.report("private_ip", "`private_ip` goes with `network_interface_id`, not `instance_id`")
                return nil
            }
            form = .elasticIP(allocationID: allocation)
        } else {
            guard let privateIP, interface != nil, instance == nil else {
                check.report("allocation_id", "missing: set `allocation_id` and `instance_id` (Elastic IP), "
                    + "`private_ip` and `network_interface_id` (secondary private IP), or `overlay: true` with "
                    + "`route_tables` and `network_interface_id` (route tables)")
                return nil
            }
            form = .secondaryIP(address: privateIP)
        }
        guard let source, let metadata else { return nil }
        return Settings(
            region: region, credentials: source, sharedCredentialsFile: sharedFile, metadataEndpoint: metadata, form: form,
            instanceID: instance, networkInterfaceID: interface, privateIP: privateIP)
    }

    /// `access_key_id` (with `secret_key_*` required, `session_token_*` optional), else `profile`,
    /// else the chain. The secret's options themselves are checked by `CloudMovers`.
    static func credentialSource(_ check: inout OptionCheck) -> AWSCredentialSource? {
        let accessKeyID = check.optional("access_key_id")
        let profile = check.optional("profile")
        let secretNamed = check.options["secret_key_file"] != nil || check.options["secret_key_env"] != nil
        let tokenNamed = check.options["session_token_file"] != nil || check.options["session_token_env"] != nil
        if let accessKeyID {
            if profile != nil {
                check.report("profile", "set either `access_key_id` (with `secret_key_file` or `secret_key_env`) or "
                    + "`profile`, not both")
                return nil
            }
            guard secretNamed else {
                check.report("secret_key_file", "missing: `access_key_id` needs its secret: set `secret_key_file` (a "
                    + "file holding the AWS secret access key) or `secret_key_env`; the secret never goes in the YAML itself")
                return nil
            }
            return .options(accessKeyID: accessKeyID)
        }
        if secretNamed || tokenNamed {
            check.report("access_key_id", "missing: `secret_key_*` and `session_token_*` go with `access_key_id` (the "
                + "access key id, e.g. `AKIA…`); leave all of them out to use the environment, the shared credentials "
                + "file or the instance profile")
            return nil
        }
        if let profile { return .profile(profile) }
        return .chain
    }

    /// `imds_endpoint`: an `http://` base URL; the link-local service by default.
    static func metadataEndpoint(_ check: inout OptionCheck) -> String? {
        guard let text = check.optional("imds_endpoint") else { return AWSInstanceMetadata.defaultEndpoint }
        guard let components = URLComponents(string: text), components.scheme == "http", components.host?.isEmpty == false,
            components.query == nil, components.path.isEmpty || components.path == "/"
        else {
            check.report("imds_endpoint", "`\(text)` is not an http:// base URL (the default is "
                + "`\(AWSInstanceMetadata.defaultEndpoint)`; only tests change it)")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? { AWSQuery.errorMessage(response) }
    public static func isThrottled(_ response: ProviderResponse) -> Bool { AWSQuery.isThrottled(response) }

    let settings: Settings
    let context: CloudContext
    let chain: AWSCredentialChain
    let metadata: AWSInstanceMetadata
    /// `region`, else `AWS_REGION`; nil: the instance's.
    let configuredRegion: String?

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
        let store = context.credentials
        // The metadata service is on the instance: short attempts, few of them.
        let http = context.http
        metadata = AWSInstanceMetadata(
            endpoint: settings.metadataEndpoint,
            http: ProviderHTTP(
                provider: "EC2 instance metadata",
                policy: RetryPolicy(requestTimeout: min(http.policy.requestTimeout, .seconds(2)), maxAttempts: 3),
                telemetry: TelemetryRecorder(kind: "aws-imds"), secrets: { store.values }, client: http.client),
            remember: { store.remember([$0]) })
        chain = AWSCredentialChain(
            source: settings.credentials, sharedFile: settings.sharedCredentialsFile, store: store, metadata: metadata)
        configuredRegion = settings.region ?? store.environment["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The region: configured, or the instance's (asked once).
    func region(deadline: ContinuousClock.Instant) async throws -> String {
        if let configuredRegion { return configuredRegion }
        do {
            return try await metadata.region(deadline: deadline)
        } catch {
            throw AWSCredentialChain.explained(error, "asked for the region because neither `region` nor AWS_REGION is set")
        }
    }

    /// The query client, signing with the credentials as they are now.
    func query(deadline: ContinuousClock.Instant) async throws -> AWSQuery {
        let region = try await region(deadline: deadline)
        let credentials = try await chain.current(deadline: deadline)
        let endpoint = context.endpoint.isEmpty ? "https://ec2.\(region).amazonaws.com" : context.endpoint
        return AWSQuery(http: context.http, endpoint: endpoint, signer: credentials.signer(region: region, service: "ec2"))
    }

    /// This server as EC2 names it; in the route-table form without `network_interface_id`, the
    /// interface the metadata service names (known after the first read).
    public var target: String { settings.instanceID ?? settings.networkInterfaceID ?? metadata.interface ?? "this instance's interface" }

    public var address: String {
        switch settings.form {
        case .elasticIP(let allocation): allocation
        case .secondaryIP(let address): address
        case .routeTables(_, let destinations): destinations.joined(separator: ", ")
        }
    }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        switch settings.form {
        case .elasticIP(let allocation):
            let answer = try await query(deadline: deadline).call("DescribeAddresses", [("AllocationId.1", allocation)], deadline: deadline)
            guard let item = answer.first("addressesSet")?.children("item").first else {
                throw context.http.malformed("POST / DescribeAddresses", status: 200, "no address \(allocation) in the answer")
            }
            let association = item.value("associationId")
            if settings.instanceID != nil { return ProviderState(holder: item.value("instanceId"), fence: association) }
            guard let interface = item.value("networkInterfaceId") else { return ProviderState(holder: nil) }
            let privateIP = item.value("privateIpAddress")
            let matches = settings.privateIP == nil || settings.privateIP == privateIP
            return ProviderState(holder: matches ? interface : "\(interface) \(privateIP ?? "")", fence: association)
        case .secondaryIP(let address):
            let ours = target
            let mine = try await query(deadline: deadline).call("DescribeNetworkInterfaces", [("NetworkInterfaceId.1", ours)], deadline: deadline)
            if Self.interfaces(listing: address, in: mine).contains(ours) { return ProviderState(holder: ours) }
            let all = try await query(deadline: deadline).call(
                "DescribeNetworkInterfaces",
                [("Filter.1.Name", "addresses.private-ip-address"), ("Filter.1.Value.1", address)], deadline: deadline)
            return ProviderState(holder: Self.interfaces(listing: address, in: all).first { $0 != ours })
        case .routeTables(let tables, let destinations):
            return try await readRoutes(tables: tables, destinations: destinations, deadline: deadline)
        }
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        switch settings.form {
        case .elasticIP(let allocation):
            var parameters = [("AllocationId", allocation), ("AllowReassociation", "true")]
            if let instance = settings.instanceID { parameters.append(("InstanceId", instance)) }
            if let interface = settings.networkInterfaceID { parameters.append(("NetworkInterfaceId", interface)) }
            if let privateIP = settings.privateIP { parameters.append(("PrivateIpAddress", privateIP)) }
            _ = try await query(deadline: deadline).call("AssociateAddress", parameters, deadline: deadline)
        case .secondaryIP(let address):
            _ = try await query(deadline: deadline).call(
                "AssignPrivateIpAddresses",
                [("NetworkInterfaceId", target), ("PrivateIpAddress.1", address), ("AllowReassignment", "true")],
                deadline: deadline)
        case .routeTables:
            try await assignRoutes(over: state, deadline: deadline)
        }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        switch settings.form {
        case .elasticIP:
            guard let association = state.fence else { return true }
            _ = try await query(deadline: deadline).call("DisassociateAddress", [("AssociationId", association)], deadline: deadline)
        case .secondaryIP(let address):
            _ = try await query(deadline: deadline).call(
                "UnassignPrivateIpAddresses", [("NetworkInterfaceId", target), ("PrivateIpAddress.1", address)],
                deadline: deadline)
        case .routeTables:
            return false
        }
        return true
    }

    /// The ids of the interfaces in a `DescribeNetworkInterfaces` answer that list `address`.
    static func interfaces(listing address: String, in answer: XMLAnswer) -> [String] {
        guard let set = answer.first("networkInterfaceSet") else { return [] }
        return set.children("item").compactMap { item in
            let listed = item.child("privateIpAddressesSet")?.children("item").compactMap { $0.value("privateIpAddress") } ?? []
            return listed.contains(address) ? item.value("networkInterfaceId") : nil
        }
    }
}
