import FloatIPCloud
import FloatIPCore

extension MoverSet {
    /// How the movers of one kind are made.
    public enum Entry: Sendable {
        /// The address on this node's interface, announced by ARP/NA (`LocalMover`).
        case local
        /// An RFC 2136 update to the zone's servers (`DNSMover`).
        case dns
        /// A provider's API, driven by the generic `CloudMover`.
        case cloud(any CloudProvider.Type)
        /// The operator's own commands (`ScriptMover`).
        case script
        /// A load balancer's health probe answered while holding (`AzureLBMover`).
        case azureLB
        /// Host routes announced to routers by the node's BGP speaker (`BGPMover`).
        case bgp
    }

    /// The entry of `kind`: one per mover kind, so a kind added to `MoverKind` without one does
    /// not compile.
    public static func entry(for kind: MoverKind) -> Entry {
        switch kind {
        case .local: .local
        case .dns: .dns
        case .aws: .cloud(AWSProvider.self)
        case .digitalocean: .cloud(DigitalOceanProvider.self)
        case .hetzner: .cloud(HetznerCloudProvider.self)
        case .hetznerRobot: .cloud(HetznerRobotProvider.self)
        case .vultr: .cloud(VultrProvider.self)
        case .linode: .cloud(LinodeProvider.self)
        case .openstack: .cloud(OpenStackProvider.self)
        case .upcloud: .cloud(UpCloudProvider.self)
        case .lunanode: .cloud(LunaNodeProvider.self)
        case .cloudflare: .cloud(CloudflareProvider.self)
        case .route53: .cloud(Route53Provider.self)
        case .gcp: .cloud(GCPProvider.self)
        case .ovh: .cloud(OVHProvider.self)
        case .azure: .cloud(AzureProvider.self)
        case .script: .script
        case .azureLB: .azureLB
        case .bgp: .bgp
        }
    }
}
