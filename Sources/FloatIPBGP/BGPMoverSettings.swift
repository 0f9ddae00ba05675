import FloatIPCore

/// One router this node peers with.
public struct BGPPeerSettings: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var asn: UInt32
    public var port: UInt16

    public init(address: IPAddress, asn: UInt32, port: UInt16 = 179) {
        self.address = address
        self.asn = asn
        self.port = port
    }

    /// `198.18.0.254 (AS 65000)`.
    public var description: String { "\(address)\(port == 179 ? "" : " port \(port)") (AS \(asn))" }
}

/// The options of a `bgp` mover: who this node peers with and what its announcements carry.
///
/// ```yaml
/// mover: { kind: bgp, local_asn: 65001, peer_asn: 65000, peers: [198.18.0.254] }
/// mover: { kind: bgp, local_asn: 65001, peers: ["198.18.0.253 as 65010", "198.18.0.254 as 65020"],
///          password_file: /etc/floatip/bgp.password, hold_time: 9s, med: 10, communities: ["65000:100"] }
/// ```
/// The mover's options are flat texts, so a peer that differs from the others says its own AS in
/// its entry (`ADDRESS as ASN`); everything else applies to every peer. Pure: no I/O.
public struct BGPMoverSettings: Sendable, Equatable {
    /// `local_asn`: this node's AS; required.
    public var localASN: UInt32
    /// `router_id`: the BGP identifier, an IPv4 address; default the node's address when that is IPv4.
    public var routerID: IPAddress
    /// `peers`, with `peer_asn` where an entry names no AS of its own; `port` (default 179) for all.
    public var peers: [BGPPeerSettings]
    /// `hold_time`: 0 (none) or 3 s to 65535 s; default 9 s (a KEEPALIVE every 3 s).
    public var holdTime: UInt16
    /// `password_file`: TCP-MD5 (RFC 2385) with every peer; the file holds the password.
    public var passwordFile: String?
    /// `next_hop`: one per family; default the node's own address.
    public var nextHops: [IPAddress]
    /// `med`: MULTI_EXIT_DISC on every announcement.
    public var med: UInt32?
    /// `local_pref`: LOCAL_PREF on iBGP sessions; default 100.
    public var localPreference: UInt32
    /// `communities`: `ASN:VALUE` each (RFC 1997), or `graceful_shutdown` (RFC 8326).
    public var communities: [UInt32]
    /// `bfd: true`: a BFD session (RFC 5880/5881) with every peer, at `bfd_interval` (default
    /// 100 ms) × `bfd_multiplier` (default 3), so a router drops a frozen or cut-off holder's routes
    /// after that instead of the hold time.
    public var bfd: BFDSettings?
    /// `drain`: on release, how long the routes stay announced as about to go (RFC 8326's
    /// GRACEFUL_SHUTDOWN community and the worst MED) before they are withdrawn, so routers move
    /// to another holder's path first; default 200 ms, 0 withdraws at once.
    public var drain: Duration = .milliseconds(200)
    /// `mode: anycast`: every healthy node announces (the agent runs the group without electing a
    /// holder: `GroupConfig.isAnycast`); default `holder`, only the holder announces.
    public var anycast = false

    public init(
        localASN: UInt32, routerID: IPAddress, peers: [BGPPeerSettings], holdTime: UInt16 = 9, passwordFile: String? = nil,
        nextHops: [IPAddress], med: UInt32? = nil, localPreference: UInt32 = 100, communities: [UInt32] = [],
        bfd: BFDSettings? = nil
    ) {
        self.localASN = localASN
        self.routerID = routerID
        self.peers = peers
        self.holdTime = holdTime
        self.passwordFile = passwordFile
        self.nextHops = nextHops
        self.med = med
        self.localPreference = localPreference
        self.communities = communities
        self.bfd = bfd
    }

    /// The routes that announce `addresses`: each as a host route (/32, /128), whatever length the
    /// group writes, with the next hop of its family.
    public func routes(for addresses: [IPPrefix]) -> [BGPRoute] {
        addresses.map { prefix in
            let host = IPPrefix(address: prefix.address, length: prefix.address.maxPrefixLength)
            return BGPRoute(
                prefix: host, nextHops: nextHops.filter { $0.isIPv4 == prefix.address.isIPv4 }, med: med,
                localPreference: localPreference, communities: communities)
        }
    }

    /// The session machine's settings for `peer`.
    public func session(_ peer: BGPPeerSettings) -> BGPSessionConfig {
        guard case .v4(let identifier) = routerID else { preconditionFailure("read() admits IPv4 router IDs only") }
        return BGPSessionConfig(localASN: localASN, peerASN: peer.asn, routerID: identifier, holdTime: holdTime)
    }

    /// Reads the options into `check` (each problem names its key); nil when one is wrong.
    /// `nodeAddress` is the default router ID and next hop; the group's addresses (`check.addresses`)
    /// each need a next hop of their family.
    public static func read(_ check: inout OptionCheck) -> BGPMoverSettings? {
        let before = check.problems.count
        let localASN = asn(&check, "local_asn", required: true)
        let peerASN = asn(&check, "peer_asn", required: false)
        let port = portNumber(&check)
        let peers = peerList(&check, defaultASN: peerASN, port: port)
        var routerID = check.nodeAddress.flatMap { $0.isIPv4 ? $0 : nil }
        if let text = check.optional("router_id") {
            routerID = IPAddress(text).flatMap { $0.isIPv4 ? $0 : nil }
            if routerID == nil { check.report("router_id", "`\(text)` is not an IPv4 address (BGP identifiers are, also on IPv6 sessions)") }
        } else if routerID == nil {
            check.report("router_id", "missing: set `router_id` to an IPv4 address (the node's address is not IPv4)")
        }
        let holdTime = hold(&check)
        let passwordFile = check.optional("password_file")
        if let passwordFile, !passwordFile.hasPrefix("/") {
            check.report("password_file", "`\(passwordFile)` is not an absolute path")
        }
        let nextHops = nextHopList(&check)
        let med = number(&check, "med")
        let localPreference = number(&check, "local_pref") ?? 100
        let communities = communityList(&check)
        let bfd = BFDSettings.read(&check, peers: peers)
        let drain = check.optional("drain") == "0" ? .zero : check.duration("drain", default: .milliseconds(200))
        if drain > .seconds(30) { check.report("drain", "at most 30s (a release waits this long; default 200ms, 0 for none)") }
        let mode = check.optional("mode") ?? "holder"
        if mode != "holder", mode != "anycast" {
            check.report("mode", "`\(mode)` is not a mode; write `holder` (the default: only the holder announces) or `anycast` "
                + "(every healthy node announces)")
        }
        check.finish(kind: .bgp)
        guard check.problems.count == before, let localASN, let routerID, let holdTime else { return nil }
        var settings = BGPMoverSettings(
            localASN: localASN, routerID: routerID, peers: peers, holdTime: holdTime, passwordFile: passwordFile,
            nextHops: nextHops, med: med, localPreference: localPreference, communities: communities, bfd: bfd)
        settings.drain = drain
        settings.anycast = mode == "anycast"
        return settings
    }

    /// `routes` as about to go: GRACEFUL_SHUTDOWN added (RFC 8326; routers that honour it lower the
    /// path's preference) and the worst MED (routers compare MEDs of paths from one AS, as a
    /// group's nodes are).
    public func draining(_ routes: [BGPRoute]) -> [BGPRoute] {
        routes.map { route in
            var route = route
            route.med = UInt32.max
            if !route.communities.contains(BGPAttribute.gracefulShutdown) { route.communities.append(BGPAttribute.gracefulShutdown) }
            return route
        }
    }

    private static func asn(_ check: inout OptionCheck, _ key: String, required: Bool) -> UInt32? {
        let text = required ? check.required(key, "this node's AS number") : check.optional(key)
        guard let text else { return nil }
        guard let number = parseASN(text) else {
            check.report(key, "`\(text)` is not an AS number; write 1 to 4294967295 (`65001`, or `1.10` in asdot)")
            return nil
        }
        return number
    }

    /// `65001`, or asdot `1.10` (RFC 5396); 0 is reserved.
    static func parseASN(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, let high = UInt16(parts[0]), let low = UInt16(parts[1]) {
            let number = UInt32(high) << 16 | UInt32(low)
            return number == 0 ? nil : number
        }
        guard let number = UInt32(text), number > 0 else { return nil }
        return number
    }

    private static func portNumber(_ check: inout OptionCheck) -> UInt16 {
        guard let text = check.optional("port") else { return 179 }
        guard let port = UInt16(text), port > 0 else {
            check.report("port", "`\(text)` is not a TCP port; write 1 to 65535 (BGP's is 179)")
            return 179
        }
        return port
    }

    /// `peers: [198.18.0.254, "198.18.0.253 as 65010"]`.
    private static func peerList(_ check: inout OptionCheck, defaultASN: UInt32?, port: UInt16) -> [BGPPeerSettings] {
        guard let text = check.required("peers", "the routers to peer with, e.g. `[198.18.0.254]`") else { return [] }
        var peers: [BGPPeerSettings] = []
        for item in text.split(separator: ",").map({ String($0).trimmed }) {
            let words = item.split(separator: " ").map(String.init)
            guard let address = words.first.flatMap({ IPAddress($0) }) else {
                check.report("peers", "`\(item)` is not an address; write `ADDRESS` or `ADDRESS as ASN` (e.g. `198.18.0.254 as 65000`)")
                continue
            }
            var asn = defaultASN
            if words.count == 3, words[1] == "as" {
                asn = parseASN(words[2])
                if asn == nil { check.report("peers", "`\(item)`: `\(words[2])` is not an AS number") }
            } else if words.count != 1 {
                check.report("peers", "`\(item)`: write `ADDRESS` or `ADDRESS as ASN`")
                continue
            } else if asn == nil {
                check.report("peers", "`\(item)` names no AS: set `peer_asn`, or write `\(item) as ASN`")
            }
            guard let asn else { continue }
            let peer = BGPPeerSettings(address: address, asn: asn, port: port)
            if peers.contains(where: { $0.address == address }) {
                check.report("peers", "\(address) is listed twice")
            } else {
                peers.append(peer)
            }
        }
        return peers
    }

    private static func hold(_ check: inout OptionCheck) -> UInt16? {
        guard let text = check.optional("hold_time") else { return 9 }
        let seconds: Int?
        switch DurationText.parse(text) {
        case .success(let value) where value.components.attoseconds == 0: seconds = Int(value.components.seconds)
        default: seconds = Int(text)
        }
        guard let seconds, seconds == 0 || (3...65535).contains(seconds) else {
            check.report("hold_time", "`\(text)` is not a BGP hold time; write 0 (none) or 3s to 65535s, in whole seconds")
            return nil
        }
        return UInt16(seconds)
    }

    /// One next hop per family, the node's address for a family not given; each of the group's
    /// addresses needs one of its family.
    private static func nextHopList(_ check: inout OptionCheck) -> [IPAddress] {
        var hops: [IPAddress] = []
        if let text = check.optional("next_hop") {
            for item in text.split(separator: ",").map({ String($0).trimmed }) {
                guard let address = IPAddress(item) else {
                    check.report("next_hop", "`\(item)` is not an IP address")
                    continue
                }
                if hops.contains(where: { $0.isIPv4 == address.isIPv4 }) {
                    check.report("next_hop", "one next hop per family")
                } else {
                    hops.append(address)
                }
            }
        }
        if let node = check.nodeAddress, !hops.contains(where: { $0.isIPv4 == node.isIPv4 }) { hops.append(node) }
        for prefix in check.addresses where !hops.contains(where: { $0.isIPv4 == prefix.address.isIPv4 }) {
            check.report("next_hop", "the group's \(prefix.address) needs an \(prefix.address.isIPv4 ? "IPv4" : "IPv6") next hop; "
                + "add one to `next_hop` (this node's own address of that family)")
            break
        }
        return hops
    }

    private static func number(_ check: inout OptionCheck, _ key: String) -> UInt32? {
        guard let text = check.optional(key) else { return nil }
        guard let value = UInt32(text) else {
            check.report(key, "`\(text)` is not a whole number from 0 to 4294967295")
            return nil
        }
        return value
    }

    /// `65000:100`, or `graceful_shutdown` (65535:0, RFC 8326).
    private static func communityList(_ check: inout OptionCheck) -> [UInt32] {
        guard let text = check.optional("communities") else { return [] }
        var communities: [UInt32] = []
        for item in text.split(separator: ",").map({ String($0).trimmed }) {
            if item == "graceful_shutdown" {
                communities.append(BGPAttribute.gracefulShutdown)
                continue
            }
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let high = UInt16(parts[0]), let low = UInt16(parts[1]) else {
                check.report("communities", "`\(item)` is not a community; write `ASN:VALUE` (each 0 to 65535) or `graceful_shutdown`")
                continue
            }
            communities.append(UInt32(high) << 16 | UInt32(low))
        }
        return communities
    }
}
