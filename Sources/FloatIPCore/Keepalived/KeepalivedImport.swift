/// Maps a parsed keepalived.conf to one node's floatip config: by default with `protocol: vrrp`
/// groups that join the running keepalived virtual routers (the same VRID, version, interval and
/// password), or on floatip's own protocol (`native`, the last step of a migration).
/// `vrrp_script`s become checks (weights as keepalived applies them), `vrrp_instance`s groups,
/// `unicast_src_ip` / `unicast_peer` the node and its peers, notify scripts hooks, `garp_*` the
/// announce settings, `use_vmac` a virtual MAC. Every statement it does not carry over becomes a
/// `Note` naming FILE:LINE and why. Pure: the command reads the files and writes the result.
public struct KeepalivedImport: Sendable {
    /// What the operator tells the importer that keepalived.conf does not say.
    public struct Options: Sendable {
        /// The cluster's name, the same on every node (keepalived has none).
        public var cluster = "keepalived"
        /// This node's own address, when no instance has `unicast_src_ip` (multicast).
        public var address: IPAddress?
        /// The other nodes' addresses, when no instance has `unicast_peer`.
        public var peers: [IPAddress] = []
        /// Where the cluster's secret file is (or will be).
        public var secretFile = "/etc/floatip/secret"
        /// floatip's own protocol (true) or VRRP groups that join keepalived's virtual routers (false).
        public var native = false
        /// The directory a VRRP group's `auth_pass_file` is written to (`vrrp-GROUP.pass`).
        public var directory = "/etc/floatip"

        public init() {}
    }

    /// Something not carried over, or carried over differently: where, and why.
    public struct Note: Sendable, Equatable, CustomStringConvertible {
        public var location: KeepalivedLocation
        public var message: String
        public var description: String { "\(location): \(message)" }
    }

    /// A floatip check made from a `vrrp_script` or a `track_interface` entry.
    struct Check {
        var name: String
        var fields: [(String, String)]
    }

    /// A floatip group made from a `vrrp_instance`.
    struct Group {
        var name: String
        var addresses: [String] = []
        var interface: String?
        /// Addresses on another interface than the instance's (`dev IFACE`), by address entry.
        var ownInterfaces: [String: String] = [:]
        var priority = 100
        var preempt = true
        var checks: [String] = []
        var virtualMAC: Int?
        var hooks: [(String, String)] = []
        var announce: [(String, String)] = []
        /// The `vrrp:` block's settings (VRRP mode), in order.
        var vrrp: [(String, String)] = []
        /// The instance's own `version`, `advert_int` and `preempt_delay` (VRRP mode), before `settleVRRP`.
        var vrrpVersion: Int?
        var advertInterval: (entry: KeepalivedStatement, seconds: Double)?
        var vrrpPreemptDelay: Double?
        /// Whether the instance is IPv6 (its first virtual address is): VRRP version 3 over ff02::12.
        var ipv6 = false
        /// keepalived's `auth_pass` (VRRP mode): written to the group's `auth_pass_file`.
        var password: String?
        var source: KeepalivedLocation
    }

    public private(set) var notes: [Note] = []
    var checks: [Check] = []
    var groups: [Group] = []
    var node: (name: String, address: IPAddress)?
    var peers: [(name: String, address: IPAddress)] = []
    var preemptDelay: Duration?
    /// `global_defs`' `vrrp_version`: an IPv4 instance's version when it says none.
    var defaultVersion = 2
    /// The instances of sync groups without `sync_group_tracking_weight`: keepalived ignores their
    /// weighted scripts and runs their weighted interfaces as weight 0 (a down link is a fault).
    var unweightedInstances: Set<String> = []
    let options: Options
    let file: String

    /// Why no config could be made (no instance, no address for the node).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Maps `statements`, read from `file`.
    public init(_ statements: [KeepalivedStatement], file: String, options: Options) throws(Failure) {
        self.options = options
        self.file = file
        let scripts = Dictionary(statements.filter { $0.keyword == "vrrp_script" }.compactMap { s in s.arguments.first.map { ($0, s) } }) { a, _ in a }
        // keepalived settles instances after reading the whole file: these apply wherever they stand.
        for statement in statements {
            if statement.keyword == "global_defs", let version = statement.child("vrrp_version")?.arguments.first.flatMap({ Int($0) }),
                (2...3).contains(version)
            {
                defaultVersion = version
            }
            if statement.keyword == "vrrp_sync_group", statement.child("sync_group_tracking_weight") == nil,
                statement.child("global_tracking") == nil
            {
                for member in statement.child("group")?.block ?? [] { unweightedInstances.insert(member.keyword) }
            }
        }
        var globalAnnounce: [(String, String)] = []
        var unicastSources: Set<IPAddress> = []
        var unicastPeers: [IPAddress] = []
        var syncGroups: [KeepalivedStatement] = []
        for statement in statements {
            switch statement.keyword {
            case "global_defs": globalAnnounce = mapGlobals(statement)
            case "vrrp_script": break
            case "vrrp_instance":
                let (mapped, source, peers) = mapInstance(statement, scripts: scripts)
                guard let group = mapped else { continue }
                groups.append(group)
                if let source { unicastSources.insert(source) }
                for peer in peers where !unicastPeers.contains(peer) { unicastPeers.append(peer) }
            case "vrrp_sync_group": syncGroups.append(statement)
            case "virtual_server", "virtual_server_group":
                note(statement, "LVS load balancing (`\(statement.keyword)`) is not floatip's job: keep keepalived's checker for it, or use HAProxy")
            case "static_ipaddress", "static_routes", "static_rules":
                note(statement, "`\(statement.keyword)` configures the host, not a floating address: put it in the system's network configuration")
            default:
                if statement.keyword.hasPrefix("@") || statement.keyword.hasPrefix("$") {
                    note(statement, "conditional configuration and `$` definitions are not evaluated: convert the file keepalived would read on this host")
                } else {
                    note(statement, "`\(statement.keyword)` has no floatip equivalent")
                }
            }
        }
        guard !groups.isEmpty else { throw Failure(description: "\(file): no vrrp_instance: nothing to convert") }
        // After every instance: a sync group may stand before its instances.
        for statement in syncGroups { mapSyncGroup(statement) }
        // An instance's own garp setting replaces the global one of the same name only; what neither
        // sets is keepalived's default (vrrp.h: a second burst 5 s after becoming master, 5 GARPs or NAs
        // per address in each; `vrrp_min_garp`: one, no second burst), not floatip's (2 s, 3).
        let minimal = statements.contains { statement in
            statement.keyword == "global_defs" && statement.child("vrrp_min_garp").map {
                ["true", "on", "yes"].contains($0.arguments.first ?? "true")
            } == true
        }
        let defaults = [("repeat_after", minimal ? "off" : "5s"), ("count", minimal ? "1" : "5")]
        for index in groups.indices {
            let own = Set(groups[index].announce.map(\.0))
            groups[index].announce += globalAnnounce.filter { !own.contains($0.0) }
            let set = Set(groups[index].announce.map(\.0))
            groups[index].announce += defaults.filter { !set.contains($0.0) }
        }
        guard unicastSources.count <= 1 else {
            throw Failure(description: "\(file): the instances use different unicast_src_ip (\(unicastSources.map(\.description).sorted().joined(separator: ", "))): floatip's node has one address")
        }
        guard let address = options.address ?? unicastSources.first else {
            throw Failure(description: options.native
                ? "\(file): no instance has unicast_src_ip (multicast): floatip's own protocol needs this node's address and its peers' addresses: give --address ADDRESS and --peer ADDRESS for each other node"
                : "\(file): no instance has unicast_src_ip (multicast): VRRP advertises from this node's own address on the interface: give --address ADDRESS")
        }
        node = (Self.nodeName(address), address)
        // Over VRRP the virtual routers are the peers: floatip's own peers have nothing to say.
        guard options.native else { return }
        let peerAddresses = options.peers.isEmpty ? unicastPeers : options.peers
        peers = peerAddresses.filter { $0 != address }.map { (Self.nodeName($0), $0) }
    }

    /// A node's name from its address, the same on every node's converted file: `node-198-18-0-1`.
    static func nodeName(_ address: IPAddress) -> String {
        "node-" + String(address.description.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    /// A valid floatip name for a keepalived name: other characters become `-`, at most 63 bytes.
    static func name(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "-" }.prefix(63))
        return WireName.isValid(mapped) ? mapped : "unnamed"
    }

    mutating func note(_ statement: KeepalivedStatement, _ message: String) {
        notes.append(Note(location: statement.location, message: message))
    }
}
