import FloatIPCore

/// The names and addresses of one lab: everything derives from its name and node count, so
/// `down` can find every piece again even when `up` stopped half-way.
///
/// Addresses come from 198.18.0.0/15 (set aside for benchmarks); the namespaces have no route out.
public struct LabLayout: Sendable, Equatable {
    /// The lab's name (`lab` unless `--name` says otherwise).
    public var name: String
    /// How many server nodes, web1…webN (2–5).
    public var nodes: Int
    /// Where the lab keeps its configs, secret, logs and state.
    public var directory: String
    /// Where its etcd members (`LabEtcd`) keep their data, if it runs any.
    public var etcdDirectory: String
    /// YAML appended to every node's config (a test adds `coordination:`, say). Not kept in the
    /// state file: `down` does not need it.
    public var extraConfig = ""
    /// The nodes that run keepalived 2.2.7 instead of `floatip agent` (`lab up --keepalived K`: the
    /// last K). With any, every floatip node's group speaks VRRP in keepalived's virtual router
    /// (docs/lab.md, "With keepalived").
    public var keepalived: Set<Int> = []
    /// `lab up --router bird|frr`: a router between the nodes and the client, the group on the `bgp`
    /// mover (LabRouter.swift).
    public var router: LabRouter?

    /// The most nodes a lab has (addresses and names are reserved for all of them).
    public static let maximumNodes = 5
    /// The floating address the agents move between the nodes.
    public static let floatingAddress = "198.18.0.100"
    /// The client's address.
    public static let clientAddress = "198.18.0.200"
    /// The UDP port every node's responder answers on.
    public static let responderPort: UInt16 = 7480
    /// The interface every node and the client have towards the switch.
    public static let interface = "eth0"
    /// The bridge in the switch namespace.
    public static let bridge = "br0"
    /// Where labs live by default: one directory a lab.
    public static let root = "/run/floatip-lab"
    /// Where a lab's etcd members keep their data: on disk, not in /run (often a small tmpfs),
    /// since each member preallocates a 64 MB write-ahead log.
    public static let etcdDataRoot = "/var/tmp/floatip-lab"
    /// The addresses of the lab's etcd members (`LabEtcd`), on the switch's bridge; the nodes use
    /// 198.18.0.1–5, the floating address .100, the client .200.
    public static let etcdAddresses = ["198.18.0.21", "198.18.0.22", "198.18.0.23"]

    /// A lab named `name` with `nodes` nodes; checks both.
    public init(name: String, nodes: Int = 2, root: String = LabLayout.root) throws(LabError) {
        guard Self.isValidName(name) else { throw .badName(name) }
        guard (2...Self.maximumNodes).contains(nodes) else { throw .badNodeCount(nodes) }
        self.name = name
        self.nodes = nodes
        self.directory = root + "/" + name
        self.etcdDirectory = Self.etcdRoot(labRoot: root) + "/" + name
    }

    /// Where the etcd data of the labs in `labRoot` lives: `etcdDataRoot` for the default root, a
    /// subdirectory `etcd` of any other.
    public static func etcdRoot(labRoot: String) -> String { labRoot == root ? etcdDataRoot : labRoot + "/etcd" }

    /// Whether `name` can name a lab (it becomes part of namespace names).
    public static func isValidName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard let first = name.first, first != "-", (1...20).contains(name.count) else { return false }
        return name.allSatisfy { allowed.contains($0) }
    }

    /// Every namespace name this lab may have, for any node count (so `down` also finds a lab
    /// whose state file is gone). Exact names, never a prefix: lab `a` must not touch lab `a-2`.
    public var allNamespaces: [String] {
        [switchNamespace, clientNamespace] + (1...Self.maximumNodes).map(namespace(node:))
    }

    /// The namespace that holds the bridge.
    public var switchNamespace: String { "floatip-\(name)-sw" }
    /// The client's namespace.
    public var clientNamespace: String { "floatip-\(name)-client" }
    /// Node `node`'s namespace (1-based).
    public func namespace(node: Int) -> String { "floatip-\(name)-\(nodeName(node))" }
    /// Node `node`'s name: web1…webN.
    public func nodeName(_ node: Int) -> String { "web\(node)" }
    /// Node `node`'s own address: 198.18.0.N.
    public func address(node: Int) -> String { "198.18.0.\(node)" }
    /// The switch port (in the switch namespace) node `node` is plugged into.
    public func switchPort(node: Int) -> String { "p\(node)" }
    /// The switch port the client is plugged into.
    public var clientSwitchPort: String { "pc" }

    /// The shared secret file (mode 0600).
    public var secretFile: String { directory + "/secret" }
    /// The API token file (mode 0600): `floatip maintenance` inside a node's namespace reads it.
    public var tokenFile: String { directory + "/token" }
    /// The state file `down` reads.
    public var stateFile: String { directory + "/state.json" }
    /// Node `node`'s agent config.
    public func configFile(node: Int) -> String { directory + "/\(nodeName(node)).yaml" }
    /// The file node `node`'s required `service` check looks for: remove it and the node's service counts as down.
    public func serviceFile(node: Int) -> String { directory + "/\(nodeName(node)).up" }
    /// Node `node`'s state directory (`state_dir`: its boot ids), created by its agent.
    public func stateDirectory(node: Int) -> String { directory + "/\(nodeName(node)).state" }
    /// Node `node`'s API socket (`api.socket`): Unix sockets are not in a network namespace, so
    /// each node needs its own path; `floatip maintenance --config` finds it there.
    public func apiSocket(node: Int) -> String { directory + "/\(nodeName(node)).sock" }
    /// Node `node`'s agent log (its standard error and output).
    public func agentLog(node: Int) -> String { directory + "/\(nodeName(node)).log" }
    /// Node `node`'s responder log.
    public func responderLog(node: Int) -> String { directory + "/\(nodeName(node))-responder.log" }
}
