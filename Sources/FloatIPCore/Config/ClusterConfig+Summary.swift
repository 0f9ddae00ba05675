extension ClusterConfig {
    /// One line for `floatip check-config`: `cluster web, node web1, 1 peer, 1 group (2 addresses),
    /// 2 checks; failover within 330 ms; links tracked: eth0 (implicit check `link eth0`)`.
    public var summary: String {
        let addressCount = groups.reduce(0) { $0 + $1.addresses.count }
        return "cluster \(cluster), node \(node.name), \(counted(peers.count, "peer")), "
            + "\(counted(groups.count, "group")) (\(counted(addressCount, "address", plural: "addresses"))), "
            + "\(counted(checks.count, "check"))"
            + (groups.contains { $0.vrrp == nil } ? "; failover within \(timers.failoverBound.shortDescription)" : "")
            + vrrpRouters
            + linksTracked
            + (coordination.map { "; etcd coordination over \(counted($0.endpoints.count, "endpoint")), lease TTL "
                + $0.ttl.shortDescription } ?? "")
            + (track.map { "; tracking \(counted($0.targets.count, "target")), a cut-off node releases within "
                + $0.releaseBound.shortDescription } ?? "")
    }

    /// `; VRRP: web (VRID 51, version 2, every 1 s; as backup takes over within 3.4 s)`, or nothing: each
    /// VRRP group's virtual router and its Master_Down_Interval at this node's priority.
    private var vrrpRouters: String {
        let routers = groups.compactMap { group -> String? in
            guard let vrrp = group.vrrp else { return nil }
            let down = VRRPTimers.masterDown(priority: UInt8(clamping: group.priority), interval: vrrp.advertInterval, version: vrrp.version)
            return "\(group.name) (VRID \(vrrp.vrid), version \(vrrp.version), every \(vrrp.advertInterval.shortDescription)"
                + (vrrp.unicastPeers.isEmpty ? "" : " to \(counted(vrrp.unicastPeers.count, "unicast peer"))")
                + "; as backup takes over within \(down.shortDescription))"
        }
        return routers.isEmpty ? "" : "; VRRP: " + routers.joined(separator: ", ")
    }

    /// `; links tracked: eth0 (implicit check `link eth0`), eth1 (check `uplink`)`, or nothing.
    private var linksTracked: String {
        let links = interfaceTracking.map { name, check -> String in
            let kind = check.implicit ? "implicit check" : "check"
            return "\(name) (\(kind) `\(check.name)`)"
        }
        return links.isEmpty ? "" : "; links tracked: " + links.joined(separator: ", ")
    }
}

/// `1 peer`, `2 peers`.
private func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
