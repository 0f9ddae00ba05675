/// A group that speaks VRRP instead of floatip's own protocol (`protocol: vrrp` with a `vrrp:`
/// block; docs/vrrp.md): it joins a virtual router that keepalived or a router runs, one node of
/// which this node is.
public struct VRRPGroupConfig: Sendable, Equatable {
    /// `vrrp.vrid`: the virtual router's id, 1–255 (keepalived's `virtual_router_id`).
    public var vrid: UInt8
    /// `vrrp.version`: 2 (RFC 3768, keepalived's default for IPv4) or 3 (RFC 5798). Default 2.
    public var version: UInt8
    /// `vrrp.advert_interval`: how often the master advertises (keepalived's `advert_int`). Whole
    /// seconds in version 2; 10 ms steps from 10 ms to 40.95 s in version 3. Default 1 s.
    public var advertInterval: Duration
    /// `vrrp.preempt_delay`: after start, how long a better backup lets a worse master be
    /// (keepalived's `preempt_delay`). Default 0: it preempts at once, as keepalived does.
    public var preemptDelay: Duration
    /// `vrrp.auth_pass_file`: a file holding keepalived's `auth_type PASS` password (1–8 bytes;
    /// version 2 only). nil: no authentication.
    public var authPassFile: String?
    /// `vrrp.unicast_peers`: the other routers' addresses (keepalived's `unicast_peer`); empty: the
    /// multicast group 224.0.0.18.
    public var unicastPeers: [IPAddress]
    /// `vrrp.v3_checksum`: how version 3 sums over IPv4 (`pseudo-header`, keepalived's default, or
    /// `message`, RFC 9568's and Cisco's). Received advertisements may use either.
    public var checksumForm: VRRPChecksumForm

    public init(
        vrid: UInt8, version: UInt8 = 2, advertInterval: Duration = .seconds(1), preemptDelay: Duration = .zero,
        authPassFile: String? = nil, unicastPeers: [IPAddress] = [], checksumForm: VRRPChecksumForm = .pseudoHeader
    ) {
        self.vrid = vrid
        self.version = version
        self.advertInterval = advertInterval
        self.preemptDelay = preemptDelay
        self.authPassFile = authPassFile
        self.unicastPeers = unicastPeers
        self.checksumForm = checksumForm
    }
}

extension GroupConfig {
    /// Whether the group's virtual router is IPv6 (its addresses are).
    public var isIPv6: Bool { addresses.first.map { !$0.address.isIPv4 } ?? false }

    /// This node's router of the group's virtual router: priority and preemption from the group, the
    /// advertisements' source (and the tie-break) `source` (an IPv6 router's: the interface's
    /// link-local address) or else the node's own address, `password` read from `vrrp.auth_pass_file`.
    /// nil for a group on floatip's own protocol.
    public func vrrpRouter(node: NodeConfig, source: IPAddress? = nil, password: [UInt8]? = nil) -> VRRPRouterConfig? {
        guard let vrrp else { return nil }
        return VRRPRouterConfig(
            version: vrrp.version, vrid: vrrp.vrid, priority: UInt8(clamping: priority),
            advertInterval: vrrp.advertInterval, preempt: preempt, preemptDelay: vrrp.preemptDelay,
            ownAddress: source ?? node.address, addresses: addresses.map(\.address),
            authentication: password.map { .password($0) } ?? .none)
    }
}
