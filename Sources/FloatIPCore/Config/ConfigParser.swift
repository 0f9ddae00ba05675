import Yams

/// Turns a config file's YAML into a validated `ClusterConfig`.
///
/// Pure: it reads no file and no clock. It collects every problem it finds (syntax, unknown keys,
/// types, ranges, duplicates, references between sections) and returns either a whole config or
/// all of the problems, each naming its line and field; nothing is half-applied.
/// The fields are documented in docs/config.md.
public enum ConfigParser {
    /// The top-level keys.
    static let topKeys = ["cluster", "node", "peers", "secret_file", "timers", "groups", "checks", "api", "event_log", "hooks",
                          "coordination", "track", "state_dir"]

    /// Parses and validates `yaml`; `file` is the name problems are reported against.
    public static func parse(yaml: String, file: String) -> Result<ClusterConfig, ConfigErrors> {
        var reader = ConfigReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            reader.reportYAML(error, in: yaml)
            return .failure(ConfigErrors(problems: reader.problems))
        }
        guard let root, !root.isNull else {
            reader.report("", line: nil, "the file is empty; it needs at least `cluster`, `node`, `secret_file` "
                + "and `groups` (see docs/config.md)")
            return .failure(ConfigErrors(problems: reader.problems))
        }
        let config = reader.cluster(root)
        if let config, reader.problems.isEmpty { return .success(config) }
        return .failure(ConfigErrors(problems: sortedByLine(reader.problems)))
    }

    /// File order; problems without a line after those with one, each kept in the order found.
    static func sortedByLine(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        problems.enumerated().sorted { lhs, rhs in
            let left = lhs.element.line ?? Int.max
            let right = rhs.element.line ?? Int.max
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
    }
}

/// A value read from the file with where it stood, for checks across items (duplicates, references).
struct Located<Value> {
    var value: Value
    var path: String
    var line: Int?
}

extension ConfigReader {
    /// Reports a YAML syntax error at its line.
    mutating func reportYAML(_ error: Error, in yaml: String) {
        guard let yamlError = error as? YamlError else {
            report("", line: nil, "cannot read the YAML: \(error)")
            return
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let where_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            report("", line: mark.line, "YAML syntax error at column \(mark.column): \(problem)\(where_)")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in yaml.prefix(offset).filter { $0 == "\n" }.count + 1 }
            report("", line: line, "cannot read the text: \(problem) (the file must be UTF-8)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            report("", line: context.mark.line, "duplicate key \(keys) in one mapping; each key may appear once")
        default:
            report("", line: nil, "cannot read the YAML: \(yamlError)")
        }
    }

    /// The whole file.
    mutating func cluster(_ root: Node) -> ClusterConfig? {
        guard let top = fields(root, path: "", allowed: ConfigParser.topKeys) else { return nil }
        let clusterName = name(top, "cluster", required: true)
        let node = nodeConfig(top)
        let peers = peerConfigs(top, node: node)
        let secretFile = absolutePath(top, "secret_file", required: true)
        let timers = timersConfig(top)
        let checks = checkConfigs(top)
        let hooks = hooksLayer(top)
        let groups = groupConfigs(
            top, checks: definedCheckNames(top), node: node, peers: peers, hooks: hooks ?? HooksLayer())
        let api = apiConfig(top)
        let eventLog = absolutePath(top, "event_log", required: false)
        let stateDirectory = absolutePath(top, "state_dir", required: false)
        let coordination = coordinationConfig(top)
        let track = trackConfig(top, timers: timers, node: node, peers: peers)
        if top.has("track"), let clash = checks?.first(where: { $0.value.name == TrackConfig.checkName }) {
            report("\(clash.path).name", line: clash.line, "`\(TrackConfig.checkName)` is the name of the check "
                + "that `track:` adds to every group; give this check another name")
            return nil
        }
        if let coordination, coordination != nil, let vrrp = groups?.first(where: { $0.vrrp != nil }) {
            report("coordination", line: top.entries["coordination"]?.mark?.line, "group `\(vrrp.name)` speaks VRRP, "
                + "where the virtual router's advertisements decide who holds it; etcd coordination cannot fence such a "
                + "group: remove `coordination`, or put the group on floatip's own protocol")
            return nil
        }
        guard let clusterName, let coordination, let track, let node, let peers, let secretFile, let timers, let checks, let groups, let api,
            top.has("event_log") == (eventLog != nil), top.has("state_dir") == (stateDirectory != nil), hooks != nil
        else {
            return nil
        }
        // Every heartbeat must fit one datagram, even with every group in a handover.
        let longestName = ([node.value.name] + peers.map(\.value.name)).map(\.utf8.count).max() ?? 0
        let size = HeartbeatCodec.worstCaseSize(
            cluster: clusterName, sender: node.value.name, groups: groups.map(\.name), longestNodeName: longestName)
        guard size <= HeartbeatCodec.maxDatagramSize else {
            report(
                "groups", line: top.entries["groups"]?.mark?.line,
                "\(groups.count) groups make a heartbeat of up to \(size) bytes, over the limit of "
                    + "\(HeartbeatCodec.maxDatagramSize) (one Ethernet frame): use fewer groups or shorter names")
            return nil
        }
        return ClusterConfig(
            cluster: clusterName, node: node.value, peers: peers.map(\.value), secretFile: secretFile,
            timers: timers, groups: groups, checks: checks.map(\.value), api: api, eventLog: eventLog,
            coordination: coordination, track: track, stateDirectory: stateDirectory)
    }

    /// The names under `checks:`, read without reporting (`checkConfigs` reports), so that groups can
    /// be checked against them even when some check has problems. Nil when `checks:` is no list.
    func definedCheckNames(_ top: Fields) -> [String]? {
        guard let list = top.entries["checks"], !list.isNull else { return [] }
        guard case .sequence(let items) = list else { return nil }
        return items.compactMap { $0.mapping?["name"]?.scalar?.string }
    }

    /// `node: { name, address, port }`.
    mutating func nodeConfig(_ top: Fields) -> Located<NodeConfig>? {
        guard let node = value(top, "node", required: true),
            let entries = fields(node, path: "node", allowed: ["name", "address", "port"])
        else { return nil }
        let name = name(entries, "name", required: true)
        let address = address(entries, "address", required: true)
        let port = port(entries, "port")
        guard let name, let address, entries.has("port") == (port != nil) else { return nil }
        return Located(value: NodeConfig(name: name, address: address, port: port ?? defaultPeerPort),
                       path: "node", line: node.mark?.line)
    }

    /// `peers: [{ name, address, port }]`, with names and endpoints unique and unlike this node's.
    mutating func peerConfigs(_ top: Fields, node: Located<NodeConfig>?) -> [Located<PeerConfig>]? {
        guard let list = value(top, "peers", required: false) else { return [] }
        guard let items = items(list, path: "peers", of: "peers ({ name, address, port })") else { return nil }
        var peers: [Located<PeerConfig>] = []
        var complete = true
        for (index, item) in items.enumerated() {
            let path = "peers[\(index)]"
            guard let entries = fields(item, path: path, allowed: ["name", "address", "port"]) else {
                complete = false
                continue
            }
            let name = name(entries, "name", required: true)
            let address = address(entries, "address", required: true)
            let port = port(entries, "port")
            guard let name, let address, entries.has("port") == (port != nil) else {
                complete = false
                continue
            }
            let peer = PeerConfig(name: name, address: address, port: port ?? defaultPeerPort)
            if let node = node?.value {
                if name == node.name {
                    report("\(path).name", line: entries.line(of: "name"),
                           "`\(name)` is this node's own name (node.name); each peer needs a name of its own")
                }
                if address == node.address && peer.port == node.port {
                    report("\(path).address", line: entries.line(of: "address"),
                           "\(endpoint(address, peer.port)) is this node's own address and port (node.address, "
                               + "node.port); a peer must be another node")
                } else if address.isIPv4 != node.address.isIPv4 {
                    report("\(path).address", line: entries.line(of: "address"),
                           "\(address) is \(family(address)) but node.address is \(family(node.address)); peers "
                               + "are reached from node.address, so they must be of the same family")
                }
            }
            if let earlier = peers.first(where: { $0.value.name == name }) {
                report("\(path).name", line: entries.line(of: "name"),
                       "duplicate peer name `\(name)` (also \(earlier.path).name); peer names must be unique")
            }
            if let earlier = peers.first(where: { $0.value.address == address && $0.value.port == peer.port }) {
                report("\(path).address", line: entries.line(of: "address"),
                       "\(endpoint(address, peer.port)) is also \(earlier.path); each peer needs its own address "
                           + "and port")
            }
            peers.append(Located(value: peer, path: path, line: item.mark?.line))
        }
        return complete ? peers : nil
    }

    /// `timers: { interval, dead_after, preempt_delay, startup_listen, handover_timeout, quiet_standby }`,
    /// all optional.
    mutating func timersConfig(_ top: Fields) -> Timers? {
        guard let node = value(top, "timers", required: false) else { return Timers() }
        let keys = ["interval", "dead_after", "preempt_delay", "startup_listen", "handover_timeout", "quiet_standby"]
        guard let entries = fields(node, path: "timers", allowed: keys) else { return nil }
        let defaults = Timers()
        let day = Duration.seconds(86_400)
        let interval = duration(entries, "interval", minimum: .milliseconds(1), maximum: .seconds(10))
        let deadAfter = int(entries, "dead_after", required: false, in: 2...1000, what: "from 2 to 1000 heartbeats")
        let preemptDelay = duration(entries, "preempt_delay", minimum: .zero, maximum: day)
        let startupListen = duration(entries, "startup_listen", minimum: .zero, maximum: day)
        let handoverTimeout = duration(entries, "handover_timeout", minimum: .zero, maximum: day)
        let quietStandby = bool(entries, "quiet_standby")
        let unread = [interval == nil, deadAfter == nil, preemptDelay == nil, startupListen == nil,
                      handoverTimeout == nil, quietStandby == nil]
        if zip(keys, unread).contains(where: { key, missing in missing && entries.has(key) }) { return nil }
        let timers = Timers(
            interval: interval ?? defaults.interval, deadAfter: deadAfter ?? defaults.deadAfter,
            preemptDelay: preemptDelay ?? defaults.preemptDelay, startupListen: startupListen,
            handoverTimeout: handoverTimeout ?? defaults.handoverTimeout,
            quietStandby: quietStandby ?? defaults.quietStandby)
        if timers.handoverTimeout < timers.deadInterval {
            let written = handoverTimeout == nil ? "the default handover_timeout" : "handover_timeout"
            report("timers.handover_timeout", line: entries.line(of: "handover_timeout") ?? entries.line,
                   "\(written) \(DurationText.format(timers.handoverTimeout)) is shorter than the dead interval "
                       + "(interval × dead_after = \(DurationText.format(timers.deadInterval))); "
                       + "it must be at least that long")
            return nil
        }
        return timers
    }

    /// `api: { listen, socket, token_file }`, optional.
    mutating func apiConfig(_ top: Fields) -> APIConfig? {
        guard let node = value(top, "api", required: false) else { return APIConfig() }
        guard let entries = fields(node, path: "api", allowed: ["listen", "socket", "token_file"]) else { return nil }
        var api = APIConfig()
        var complete = true
        if let listenNode = value(entries, "listen", required: false) {
            if listenNode.scalar?.string == "off" {
                api.tcpEnabled = false
            } else if let text = string(listenNode, path: "api.listen"), let (address, port) = hostPort(text) {
                api.listenAddress = address
                api.listenPort = port
            } else {
                report("api.listen", at: listenNode, "`\(listenNode.scalar?.string ?? "")` is not an address and "
                    + "port; write `127.0.0.1:7454`, or `[::1]:7454` for IPv6, or `off` for no TCP listener")
                complete = false
            }
        }
        if entries.has("socket") {
            api.socket = absolutePath(entries, "socket", required: false)
            if let socket = api.socket, socket.utf8.count > APIConfig.maximumSocketPath {
                report("api.socket", line: entries.line(of: "socket") ?? entries.line,
                       "`\(socket)` is \(socket.utf8.count) bytes long; a Unix socket's path has at most "
                           + "\(APIConfig.maximumSocketPath) bytes")
                api.socket = nil
            }
            if api.socket == nil { complete = false }
        }
        if entries.has("token_file") {
            api.tokenFile = absolutePath(entries, "token_file", required: false)
            if api.tokenFile == nil { complete = false }
        }
        return complete ? api : nil
    }
}

extension ConfigReader {
    /// Reads each item of a list with `read` (given the item's path, `list[i]`) and reports names used twice.
    /// `read` returns the item with the line of its name. Nil when any item could not be read.
    mutating func uniquelyNamed<Value>(
        _ items: [Node], list: String, what: String, name: (Value) -> String,
        read: (inout ConfigReader, Node, String) -> Located<Value>?
    ) -> [Located<Value>]? {
        var values: [Located<Value>] = []
        var complete = true
        for (index, item) in items.enumerated() {
            let path = "\(list)[\(index)]"
            guard let value = read(&self, item, path) else {
                complete = false
                continue
            }
            let itemName = name(value.value)
            if let earlier = values.first(where: { name($0.value) == itemName }) {
                report("\(path).name", line: value.line,
                       "duplicate \(what) name `\(itemName)` (also \(earlier.path).name); \(what) names must be unique")
            }
            values.append(value)
        }
        return complete ? values : nil
    }
}

extension Fields {
    /// The line of a key's value, else of the key, else of the mapping.
    func line(of key: String) -> Int? { entries[key]?.mark?.line ?? keyLines[key] ?? line }
}

/// `198.18.0.1:7453` or `[2001:2::1]:7453`.
func endpoint(_ address: IPAddress, _ port: UInt16) -> String {
    address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
}

func family(_ address: IPAddress) -> String { address.isIPv4 ? "IPv4" : "IPv6" }

/// Parses `198.18.0.1:7454` or `[::1]:7454` (the port is required).
func hostPort(_ text: String) -> (IPAddress, UInt16)? {
    let host: Substring
    let portText: Substring
    if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
        host = text[text.index(after: text.startIndex)..<close]
        portText = text[text.index(close, offsetBy: 2)...]
    } else {
        guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { return nil }
        host = text[..<colon]
        portText = text[text.index(after: colon)...]
    }
    guard let address = IPAddress(host), !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
        let port = UInt16(portText), port > 0
    else { return nil }
    return (address, port)
}
