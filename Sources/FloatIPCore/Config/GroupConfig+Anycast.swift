extension GroupConfig {
    /// `mover: { kind: bgp, mode: anycast, … }`: every healthy node announces the group's addresses
    /// (routers spread traffic over the paths, ECMP), so there is no single holder to elect; the
    /// agent runs such a group beside the decision machine, from its checks and maintenance alone.
    public var isAnycast: Bool { mover.kind == .bgp && mover.options["mode"]?.trimmed == "anycast" }
}

extension ClusterConfig {
    /// This config with its VRRP and anycast groups left out: what floatip's own protocol (the
    /// `NodeMachine`) elects a holder for.
    public var floatipProtocolOnly: ClusterConfig {
        var config = self
        config.groups.removeAll { $0.vrrp != nil || $0.isAnycast }
        return config
    }
}
