import FloatIPCore

/// One route this speaker announces: a floating address, its next hop(s) and attributes.
public struct BGPRoute: Sendable, Equatable {
    public var prefix: IPPrefix
    /// IPv4: one address. IPv6: the global next hop, and the interface's link-local one if known.
    public var nextHops: [IPAddress]
    public var med: UInt32?
    /// iBGP only (RFC 4271 §5.1.5): sent on internal sessions, default 100.
    public var localPreference: UInt32
    public var communities: [UInt32]

    public init(prefix: IPPrefix, nextHops: [IPAddress], med: UInt32? = nil, localPreference: UInt32 = 100, communities: [UInt32] = []) {
        self.prefix = prefix
        self.nextHops = nextHops
        self.med = med
        self.localPreference = localPreference
        self.communities = communities
    }

    /// The UPDATE that announces it: ORIGIN IGP; AS_PATH empty on iBGP, our AS on eBGP.
    func update(localASN: UInt32, isInternal: Bool) -> BGPUpdate {
        var attributes: [BGPAttribute] = [.origin(.igp), .asPath(isInternal ? [] : [.sequence([localASN])])]
        let ipv4 = prefix.address.isIPv4
        if ipv4, let hop = nextHops.first { attributes.append(.nextHop(hop)) }
        if let med { attributes.append(.med(med)) }
        if isInternal { attributes.append(.localPref(localPreference)) }
        if !communities.isEmpty { attributes.append(.communities(communities)) }
        if !ipv4 { attributes.append(.mpReach(.ipv6Unicast, nextHops: nextHops, [prefix])) }
        return BGPUpdate(attributes: attributes, announced: ipv4 ? [prefix] : [])
    }
}
