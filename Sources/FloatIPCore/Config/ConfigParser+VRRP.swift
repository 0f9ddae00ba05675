import Yams

extension ConfigReader {
    static let vrrpKeys = ["vrid", "version", "advert_interval", "preempt_delay", "auth_pass_file", "unicast_peers", "v3_checksum"]

    /// A group's `protocol:` (`floatip`, the default, or `vrrp`) and `vrrp:` block, as `.some(nil)` for
    /// floatip's own protocol and `.some(settings)` for VRRP; nil when either has a problem. `mover`:
    /// the group's mover kind (VRRP moves addresses on the LAN only).
    mutating func groupProtocol(_ entries: Fields, mover: MoverKind?) -> VRRPGroupConfig?? {
        var protocolName = "floatip"
        if let node = value(entries, "protocol", required: false) {
            guard let text = string(node, path: entries.path("protocol")) else { return nil }
            guard ["floatip", "vrrp"].contains(text) else {
                report(entries.path("protocol"), at: node, "unknown protocol `\(text)`; allowed: floatip (the default: "
                    + "floatip's own signed heartbeats), vrrp (join a VRRP virtual router, e.g. keepalived's; docs/vrrp.md)")
                return nil
            }
            protocolName = text
        }
        guard protocolName == "vrrp" else {
            if entries.has("vrrp") {
                report(entries.path("vrrp"), line: entries.line(of: "vrrp"), "`vrrp:` settings need `protocol: vrrp` "
                    + "on the group; remove them, or add `protocol: vrrp`")
                return nil
            }
            return .some(nil)
        }
        if let mover, mover != .local {
            report(entries.path("protocol"), line: entries.line(of: "protocol"), "a `protocol: vrrp` group moves its "
                + "addresses on the LAN (mover `local`), as VRRP routers do; the `\(mover.rawValue)` mover cannot be "
                + "used with it")
            return nil
        }
        guard let block = value(entries, "vrrp", required: true),
            let fields = fields(block, path: entries.path("vrrp"), allowed: ConfigReader.vrrpKeys)
        else { return nil }
        return vrrpSettings(fields).map { .some($0) }
    }

    /// The `vrrp:` block: `vrid` required, the rest with keepalived's defaults.
    private mutating func vrrpSettings(_ fields: Fields) -> VRRPGroupConfig? {
        let vrid = int(fields, "vrid", required: true, in: 1...255, what: "a virtual router id from 1 to 255")
        let version = int(fields, "version", required: false, in: 2...3, what: "2 (RFC 3768) or 3 (RFC 5798)") ?? 2
        let interval = duration(fields, "advert_interval", minimum: .milliseconds(10), maximum: .milliseconds(40_950))
        let preemptDelay = duration(fields, "preempt_delay", minimum: .zero, maximum: .seconds(1000))
        let authPassFile = absolutePath(fields, "auth_pass_file", required: false)
        let peers = unicastPeers(fields)
        var form = VRRPChecksumForm.pseudoHeader
        var complete = true
        if let node = value(fields, "v3_checksum", required: false), let text = string(node, path: fields.path("v3_checksum")) {
            if let parsed = VRRPChecksumForm(rawValue: text) {
                form = parsed
            } else {
                report(fields.path("v3_checksum"), at: node, "unknown checksum form `\(text)`; allowed: pseudo-header "
                    + "(keepalived's default), message (RFC 9568, Cisco)")
                complete = false
            }
            if version != 3 {
                report(fields.path("v3_checksum"), at: node, "applies to version 3 only (version 2 sums the message)")
                complete = false
            }
        }
        let advert = interval ?? .seconds(1)
        if version == 2, advert.nanoseconds % 1_000_000_000 != 0 || advert > .seconds(255) {
            report(fields.path("advert_interval"), line: fields.line(of: "advert_interval"), "version 2 advertises "
                + "in whole seconds from 1s to 255s; found \(DurationText.format(advert)) (use `version: 3` for "
                + "intervals under a second)")
            complete = false
        }
        if version == 3, advert.nanoseconds % 10_000_000 != 0 {
            report(fields.path("advert_interval"), line: fields.line(of: "advert_interval"), "version 3 advertises "
                + "in steps of 10ms (centiseconds); found \(DurationText.format(advert))")
            complete = false
        }
        if version == 3, fields.has("auth_pass_file") {
            report(fields.path("auth_pass_file"), line: fields.line(of: "auth_pass_file"), "version 3 has no "
                + "authentication (RFC 5798 removed it); remove `auth_pass_file` or use `version: 2`")
            complete = false
        }
        guard complete, let vrid, fields.has("advert_interval") == (interval != nil),
            fields.has("preempt_delay") == (preemptDelay != nil), fields.has("auth_pass_file") == (authPassFile != nil),
            let peers
        else { return nil }
        return VRRPGroupConfig(
            vrid: UInt8(vrid), version: UInt8(version), advertInterval: advert, preemptDelay: preemptDelay ?? .zero,
            authPassFile: authPassFile, unicastPeers: peers, checksumForm: form)
    }

    /// `unicast_peers: [198.18.0.2, 198.18.0.3]` (or IPv6 addresses): addresses, each once; absent:
    /// multicast. Their family is checked against the group's addresses in `checkVRRPGroups`.
    private mutating func unicastPeers(_ fields: Fields) -> [IPAddress]? {
        guard let list = value(fields, "unicast_peers", required: false) else { return [] }
        let path = fields.path("unicast_peers")
        guard let items = items(list, path: path, of: "addresses (`198.18.0.2`, `2001:2::2`)") else { return nil }
        var peers: [IPAddress] = []
        for (index, item) in items.enumerated() {
            guard let text = string(item, path: "\(path)[\(index)]") else { continue }
            guard let address = IPAddress(text) else {
                report("\(path)[\(index)]", at: item, "`\(text)` is not an IP address (`198.18.0.2`, `2001:2::2`)")
                continue
            }
            guard !peers.contains(address) else {
                report("\(path)[\(index)]", at: item, "\(address) is listed twice")
                continue
            }
            peers.append(address)
        }
        return peers.count == items.count ? peers : nil
    }

    /// What no VRRP group may have, across groups: both families (a virtual router is IPv4 or IPv6),
    /// IPv6 in version 2, unicast peers of the other family, IPv4 without an IPv4 `node.address` (its source), this
    /// node's address as a unicast peer, and two groups of one VRID and family on one interface.
    mutating func checkVRRPGroups(_ groups: [Located<GroupConfig>], node: NodeConfig?) {
        var routers: [String: Located<GroupConfig>] = [:]
        for located in groups {
            let group = located.value
            guard let vrrp = group.vrrp else { continue }
            let ipv6 = group.addresses.first.map { !$0.address.isIPv4 } ?? false
            if let other = group.addresses.first(where: { $0.address.isIPv4 == ipv6 }) {
                report("\(located.path).addresses", line: located.line, "\(other.address) is another family than "
                    + "\(group.addresses[0].address): a VRRP virtual router is IPv4 or IPv6; use one group for each")
            }
            if ipv6, vrrp.version != 3 {
                report("\(located.path).vrrp.version", line: located.line, "VRRP over IPv6 is version 3 (RFC 5798); "
                    + "write `version: 3`")
            }
            if let peer = vrrp.unicastPeers.first(where: { $0.isIPv4 == ipv6 }) {
                report("\(located.path).vrrp.unicast_peers", line: located.line, "\(peer) is another family than the "
                    + "group's addresses (\(ipv6 ? "IPv6" : "IPv4")): a virtual router's peers are of its family")
            }
            if !ipv6, let node, !node.address.isIPv4 {
                report("\(located.path).protocol", line: located.line, "an IPv4 virtual router advertises from this "
                    + "node's own IPv4 address, but node.address is \(node.address)")
            }
            if let node, vrrp.unicastPeers.contains(node.address) {
                report("\(located.path).vrrp.unicast_peers", line: located.line, "\(node.address) is this node's own "
                    + "address (node.address); list the other routers only")
            }
            let key = "\(group.interface ?? "") \(vrrp.vrid) \(ipv6)"
            if let earlier = routers[key] {
                report("\(located.path).vrrp.vrid", line: located.line, "VRID \(vrrp.vrid) (\(ipv6 ? "IPv6" : "IPv4")) on "
                    + "\(group.interface ?? "?") is also group `\(earlier.value.name)`'s; one group per virtual router")
            }
            routers[key] = located
        }
    }
}
