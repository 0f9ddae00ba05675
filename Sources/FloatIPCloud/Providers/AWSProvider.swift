import FloatIPCore

/// `mover: aws`: EC2, in one of two forms.
///
/// - Elastic IP (`allocation_id`): `AssociateAddress` with `AllowReassociation=true` to this
///   server's `instance_id` (or `network_interface_id`, optionally `private_ip`); holder from
///   `DescribeAddresses`; release `DisassociateAddress`.
/// - Secondary private IP (`private_ip` and `network_interface_id`, no `allocation_id`), inside a
///   VPC: `AssignPrivateIpAddresses` with `AllowReassignment=true`; holder from
///   `DescribeNetworkInterfaces`; release `UnassignPrivateIpAddresses`. The address must also be on
///   the interface: give the group an `interface` and the local mover configures it.
///
/// Credentials: `access_key_id` (an identifier, not a secret) and `secret_key_file` or `secret_key_env`.
public struct AWSProvider: CloudProvider {
    public enum Form: Sendable, Equatable {
        case elasticIP(allocationID: String)
        case secondaryIP(address: String)
    }

    public struct Settings: Sendable, Equatable {
        public var region: String
        public var accessKeyID: String
        public var form: Form
        /// This server: an instance id, or a network interface id.
        public var instanceID: String?
        public var networkInterfaceID: String?
        public var privateIP: String?
    }

    public static let kind = MoverKind.aws
    public static let name = "AWS EC2"
    public static let defaultEndpoint = ""
    public static let credentials: [(name: String, what: String)] = [("secret_key", "AWS secret access key")]

    public static func settings(_ check: inout OptionCheck) -> Settings? {
        let region = check.required("region", "the AWS region, e.g. `eu-west-1`")
        let accessKeyID = check.required("access_key_id", "the access key id, e.g. `AKIA…`")
        let allocation = check.optional("allocation_id")
        let instance = check.optional("instance_id")
        let interface = check.optional("network_interface_id")
        let privateIP = check.optional("private_ip")
        if let privateIP, IPAddress(privateIP) == nil {
            check.report("private_ip", "`\(privateIP)` is not an IP address")
            return nil
        }
        let form: Form
        if let allocation {
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
                check.report("allocation_id", "missing: set `allocation_id` and `instance_id` (Elastic IP), or "
                    + "`private_ip` and `network_interface_id` (secondary private IP)")
                return nil
            }
            form = .secondaryIP(address: privateIP)
        }
        guard let region, let accessKeyID else { return nil }
        return Settings(
            region: region, accessKeyID: accessKeyID, form: form, instanceID: instance, networkInterfaceID: interface,
            privateIP: privateIP)
    }

    public static func errorMessage(_ response: ProviderResponse) -> String? { AWSQuery.errorMessage(response) }
    public static func isThrottled(_ response: ProviderResponse) -> Bool { AWSQuery.isThrottled(response) }

    let settings: Settings
    let context: CloudContext
    let endpoint: String

    public init(settings: Settings, context: CloudContext) {
        self.settings = settings
        self.context = context
        endpoint = context.endpoint.isEmpty ? "https://ec2.\(settings.region).amazonaws.com" : context.endpoint
    }

    /// The query client, signing with the secret key as it is now (read at each operation).
    private func query() throws -> AWSQuery {
        let signer = SigV4(
            accessKeyID: settings.accessKeyID, secretKey: try context.secret("secret_key"), region: settings.region,
            service: "ec2")
        return AWSQuery(http: context.http, endpoint: endpoint, signer: signer)
    }

    public var target: String { settings.instanceID ?? settings.networkInterfaceID ?? "?" }

    public var address: String {
        switch settings.form {
        case .elasticIP(let allocation): allocation
        case .secondaryIP(let address): address
        }
    }

    public func read(deadline: ContinuousClock.Instant) async throws -> ProviderState {
        switch settings.form {
        case .elasticIP(let allocation):
            let answer = try await query().call("DescribeAddresses", [("AllocationId.1", allocation)], deadline: deadline)
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
            let mine = try await query().call("DescribeNetworkInterfaces", [("NetworkInterfaceId.1", ours)], deadline: deadline)
            if Self.interfaces(listing: address, in: mine).contains(ours) { return ProviderState(holder: ours) }
            let all = try await query().call(
                "DescribeNetworkInterfaces",
                [("Filter.1.Name", "addresses.private-ip-address"), ("Filter.1.Value.1", address)], deadline: deadline)
            return ProviderState(holder: Self.interfaces(listing: address, in: all).first { $0 != ours })
        }
    }

    public func assign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        switch settings.form {
        case .elasticIP(let allocation):
            var parameters = [("AllocationId", allocation), ("AllowReassociation", "true")]
            if let instance = settings.instanceID { parameters.append(("InstanceId", instance)) }
            if let interface = settings.networkInterfaceID { parameters.append(("NetworkInterfaceId", interface)) }
            if let privateIP = settings.privateIP { parameters.append(("PrivateIpAddress", privateIP)) }
            _ = try await query().call("AssociateAddress", parameters, deadline: deadline)
        case .secondaryIP(let address):
            _ = try await query().call(
                "AssignPrivateIpAddresses",
                [("NetworkInterfaceId", target), ("PrivateIpAddress.1", address), ("AllowReassignment", "true")],
                deadline: deadline)
        }
    }

    public func unassign(over state: ProviderState, deadline: ContinuousClock.Instant) async throws -> Bool {
        switch settings.form {
        case .elasticIP:
            guard let association = state.fence else { return true }
            _ = try await query().call("DisassociateAddress", [("AssociationId", association)], deadline: deadline)
        case .secondaryIP(let address):
            _ = try await query().call(
                "UnassignPrivateIpAddresses", [("NetworkInterfaceId", target), ("PrivateIpAddress.1", address)],
                deadline: deadline)
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
