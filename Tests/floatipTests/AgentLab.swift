import FloatIPCore
import Foundation
import Glibc

/// Two servers on a switch, each running the real `floatip agent` in its namespace, for
/// end-to-end tests. Everything (agents, namespaces, files) is removed on deinit.
final class AgentLab {
    let network = TestNetwork()
    let directory: URL
    private(set) var hosts: [String] = []
    private(set) var agents: [String: Process] = [:]
    private(set) var logs: [String: URL] = [:]
    static let vip = "198.18.0.100"
    /// The group's address on the second switch, with `wan`.
    static let wanVIP = "198.18.1.100"

    /// `count` nodes web1…webN at 198.18.0.1…N on bridge br0; web1 has the highest priority.
    /// `wrongSecret`: nodes given a secret of their own (as a misconfigured peer would have).
    /// `hooks`: every node runs `hookScript` on becoming holder (it appends node, role and previous role to `hookLog`).
    /// `preempt`: the group's `preempt` setting.
    /// `dnsMover`: the group uses the `dns` mover with these options (`server: …, zone: …`) instead of `local`.
    /// `mover`: the group's `mover:` for each node (flow YAML), instead of the local mover on eth0;
    /// `moverAddresses`: that group's addresses (default `vip`).
    /// `apiListen`: `api.listen` as written in YAML (`off`: the API on the Unix socket only).
    /// `wan`: a second switch (`br1`, 198.18.1.0/24) on each node's `eth1`, and the group's second
    /// address `wanVIP` on it (a group across interfaces).
    init(
        nodes count: Int = 2, lifetime: String = "3s", wrongSecret: Set<Int> = [], hooks: Bool = false,
        preempt: Bool = true, dnsMover: String? = nil, mover: ((Int) -> String)? = nil,
        apiListen: String = "\"127.0.0.1:7454\"", wan: Bool = false, moverAddresses: [String] = ["\(vip)/32"]
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-lab-\(network.prefix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secret = directory.appendingPathComponent("secret")
        try Data("lab secret 0123456789abcdef\n".utf8).write(to: secret)
        try Data("lab api token 0123456789\n".utf8).write(to: directory.appendingPathComponent("token"))
        // Secret files: the agent refuses ones that others can read.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory.appendingPathComponent("token").path)
        if hooks {
            let script = "#!/bin/sh\necho \"$FLOATIP_NODE $FLOATIP_ROLE $FLOATIP_PREVIOUS_ROLE $FLOATIP_ADDRESSES\" >> \(hookLog.path)\n"
            try script.write(to: hookScript, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hookScript.path)
        }
        let otherSecret = directory.appendingPathComponent("other-secret")
        try Data("another secret 0123456789abcdef\n".utf8).write(to: otherSecret)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: otherSecret.path)
        // The group's mover lines (4 spaces in): dns (no addresses), a cloud mover, or local on eth0.
        func groupMover(_ number: Int) -> String {
            if let dnsMover { return "mover: { kind: dns, \(dnsMover) }" }
            if let mover { return "addresses: [\(moverAddresses.joined(separator: ", "))]\n    mover: \(mover(number))" }
            let second = wan ? ", { address: \(Self.wanVIP)/32, interface: eth1 }" : ""
            return "addresses: [\(Self.vip)/32\(second)]\n    interface: eth0\n    address_lifetime: \(lifetime)"
        }
        let switchNamespace = try network.namespace("sw")
        try network.bridge(switchNamespace, "br0")
        if wan { try network.bridge(switchNamespace, "br1") }
        for number in 1...count {
            let host = try network.namespace("web\(number)")
            try network.link(host, "eth0", switchNamespace, "p\(number)")
            try network.ip(switchNamespace, "link", "set", "p\(number)", "master", "br0")
            try network.ip(host, "addr", "add", "198.18.0.\(number)/24", "dev", "eth0")
            if wan {
                try network.link(host, "eth1", switchNamespace, "q\(number)")
                try network.ip(switchNamespace, "link", "set", "q\(number)", "master", "br1")
                try network.ip(host, "addr", "add", "198.18.1.\(number)/24", "dev", "eth1")
            }
            hosts.append(host)
            let peers = (1...count).filter { $0 != number }
                .map { "  - { name: web\($0), address: 198.18.0.\($0) }" }.joined(separator: "\n")
            let config = """
                cluster: lab
                node: { name: web\(number), address: 198.18.0.\(number) }
                peers:
                \(peers)
                secret_file: \(wrongSecret.contains(number) ? otherSecret.path : secret.path)
                timers: { preempt_delay: 1s }
                groups:
                  - name: web
                    \(groupMover(number))
                    priority: \(250 - number * 10)
                    preempt: \(preempt)
                checks:
                  - { name: service, kind: file, target: \(serviceFile(number).path), interval: 100ms, timeout: 90ms, rise: 1, fall: 2 }
                api: { listen: \(apiListen), socket: \(apiSocket(number).path), token_file: \(directory.appendingPathComponent("token").path) }
                event_log: \(eventLog(number).path)
                state_dir: \(stateDirectory(number).path)
                \(hooks ? "hooks: { on_holder: [\(hookScript.path)], timeout: 2s }" : "")
                """
            try Data().write(to: serviceFile(number))
            try config.write(to: directory.appendingPathComponent("web\(number).yaml"), atomically: true, encoding: .utf8)
        }
    }

    deinit {
        for process in agents.values where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in agents.values { process.waitUntilExit() }
        try? FileManager.default.removeItem(at: directory)
    }

    func namespace(_ node: Int) -> String { hosts[node - 1] }

    /// The on_holder hook every node runs when `hooks` is on, and the file it writes to.
    var hookScript: URL { directory.appendingPathComponent("on-holder.sh") }
    var hookLog: URL { directory.appendingPathComponent("hooks.log") }
    func hookLines() -> [String] {
        ((try? String(contentsOf: hookLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The switch's namespace (where the bridge is).
    var switchNamespace: String { network.namespaces.first { $0.hasSuffix("-sw") } ?? "" }

    /// Cuts the nodes off from each other at the switch (bridge port isolation), or heals that.
    func partition(_ on: Bool) throws {
        for number in 1...hosts.count {
            try network.ip(network.namespaces.first { $0.hasSuffix("-sw") } ?? "", "link", "set", "dev", "p\(number)",
                           "type", "bridge_slave", "isolated", on ? "on" : "off")
        }
    }

    /// Adds a client on the switch (198.18.0.200) and returns its namespace.
    func addClient() throws -> String {
        let switchNamespace = network.namespaces.first { $0.hasSuffix("-sw") } ?? ""
        let client = try network.namespace("cl")
        try network.link(client, "eth0", switchNamespace, "pc")
        try network.ip(switchNamespace, "link", "set", "pc", "master", "br0")
        try network.ip(client, "addr", "add", "198.18.0.200/24", "dev", "eth0")
        return client
    }

    /// The MAC address of node `node`'s eth0.
    func mac(_ node: Int) throws -> String {
        let text = try network.ip(namespace(node), "-o", "link", "show", "dev", "eth0")
        guard let range = text.range(of: "link/ether ") else { return "" }
        return String(text[range.upperBound...].prefix(17)).lowercased()
    }

    /// The MAC addresses that answer ARP requests for the floating address from `client` within
    /// `seconds` (arping broadcasts a request each second and, with a deadline, prints every reply
    /// until then).
    func arpAnswers(from client: String, seconds: Int = 2) throws -> Set<String> {
        let arguments = [
            "ip", "netns", "exec", client, "arping", "-b", "-c", "1000", "-w", "\(seconds)", "-I", "eth0", Self.vip,
        ]
        let output: String
        do {
            output = try command(arguments)
        } catch let error as CommandError where error.status == 1 {
            // arping exits 1 when fewer replies came than it asked for (always, with this count).
            output = error.stdout
        }
        // "Unicast reply from 198.18.0.100 [AA:BB:CC:DD:EE:FF]  0.6ms"
        return Set(output.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("reply from"), let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]")
            else { return nil }
            return String(line[line.index(after: open)..<close]).lowercased()
        })
    }

    /// Makes `client` resolve the floating address (one UDP datagram to it) so that it has a
    /// neighbour entry that gratuitous ARP can later move.
    func touchFloatingAddress(from client: String) throws {
        try command(["ip", "netns", "exec", client, "bash", "-c", "echo x > /dev/udp/\(Self.vip)/9"])
    }

    /// The MAC address `client`'s neighbour table has for the floating address, if any.
    func clientNeighbour(_ client: String) throws -> String? {
        let text = try network.ip(client, "neigh", "show", Self.vip)
        guard let range = text.range(of: "lladdr ") else { return nil }
        return String(text[range.upperBound...].prefix(17)).lowercased()
    }

    /// Drops `percent` % of the peer datagrams arriving at every node (nftables `numgen random`
    /// in each node's namespace), or removes that rule (`percent` 0).
    func dropPeerDatagrams(percent: Int, port: UInt16 = defaultPeerPort) throws {
        for host in hosts {
            _ = try? command(["ip", "netns", "exec", host, "nft", "delete", "table", "inet", "floatiptest"])
            guard percent > 0 else { continue }
            try command(["ip", "netns", "exec", host, "nft", "add", "table", "inet", "floatiptest"])
            try command(["ip", "netns", "exec", host, "nft", "add", "chain", "inet", "floatiptest", "in",
                         "{ type filter hook input priority 0; }"])
            try command(["ip", "netns", "exec", host, "nft", "add", "rule", "inet", "floatiptest", "in", "udp", "dport",
                         "\(port)", "numgen", "random", "mod", "100", "<", "\(percent)", "drop"])
        }
    }

    /// Node `node`'s config file.
    func config(_ node: Int) -> String { directory.appendingPathComponent("web\(node).yaml").path }

    /// Node `node`'s state directory (`state_dir:`: its boot ids).
    func stateDirectory(_ node: Int) -> URL { directory.appendingPathComponent("state-web\(node)") }
    /// Node `node`'s API socket (`api.socket` in its config).
    func apiSocket(_ node: Int) -> URL { directory.appendingPathComponent("web\(node).sock") }

    /// Node `node`'s event log (`event_log:` in its config).
    func eventLog(_ node: Int) -> URL { directory.appendingPathComponent("web\(node).events.jsonl") }

    /// The JSON lines of node `node`'s event log, parsed.
    func events(_ node: Int) -> [[String: Any]] {
        let text = (try? String(contentsOf: eventLog(node), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Runs `floatip ARGUMENTS` in node `node`'s namespace (where its API listens on 127.0.0.1),
    /// off the cooperative pool, bounded by `limit` (then killed).
    func floatip(_ node: Int, _ arguments: [String], limit: Duration = .seconds(20)) async throws -> CLITests.Run {
        let launcher = ["ip", "netns", "exec", namespace(node)]
        return try await offPool { try CLITests.run(arguments, via: launcher, limit: limit) }
    }

    /// The file node `node`'s required check looks for: remove it and the node's service is "down".
    func serviceFile(_ node: Int) -> URL { directory.appendingPathComponent("web\(node).up") }

    /// Starts `floatip agent` for node `node` (1-based) in its namespace, with `extra` arguments and
    /// `environment` added to the test's; `launcher` runs between `ip netns exec` and the agent
    /// (each of its programs must exec the next, so the PID stays the agent's). With `journal`, the
    /// agent is told (`$JOURNAL_STREAM`) that its standard error, the log file, is the journal.
    func start(
        _ node: Int, _ extra: [String] = [], environment: [String: String] = [:], launcher: [String] = [],
        journal: Bool = false
    ) throws {
        let name = "web\(node)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ip", "netns", "exec", namespace(node)] + launcher + [try CLITests.floatipBinary().path, "agent", "-c",
            directory.appendingPathComponent("\(name).yaml").path,
        ] + extra
        let log = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
        var environment = environment
        if journal {
            var status = stat()
            guard fstat(handle.fileDescriptor, &status) == 0 else { throw CocoaError(.fileReadUnknown) }
            environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)"
        }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        try process.run()
        agents[name] = process
        logs[name] = log
    }

    /// Sends `signal` to node `node`'s agent (`ip netns exec` execs in place: the PID is the agent's).
    func signal(_ node: Int, _ signal: Int32) {
        guard let process = agents["web\(node)"] else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for node `node`'s agent to exit (off the cooperative pool) and returns its status.
    func waitForExit(_ node: Int) async throws -> Int32 {
        guard let process = agents["web\(node)"] else { return -1 }
        let box = UncheckedBox(process)
        return try await offPool {
            box.value.waitUntilExit()
            return box.value.terminationStatus
        }
    }

    /// Whether node `node` has the floating address on eth0 now.
    func holds(_ node: Int) throws -> Bool {
        try network.ip(namespace(node), "-4", "addr", "show", "dev", "eth0").contains("\(Self.vip)/32")
    }

    /// The nodes that have the floating address now. The nodes are read one after another, so a
    /// move between two reads could look like two holders: more than one counts only when a second
    /// read right after confirms them (each held at some instant between its two reads, and
    /// those spans overlap).
    func holders() throws -> [Int] {
        let first = try (1...hosts.count).filter { try holds($0) }
        guard first.count > 1 else { return first }
        let again = Set(try (1...hosts.count).filter { try holds($0) })
        return first.filter(again.contains)
    }

    /// Polls (every 5 ms, bounded) until `condition`; returns how long it took, or nil.
    func wait(_ limit: Duration, _ condition: () throws -> Bool) async throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            if try condition() { return clock.now - start }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try condition() ? clock.now - start : nil
    }

    func log(_ node: Int) -> String {
        logs["web\(node)"].flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
    }
}

/// Carries a non-Sendable reference to the waiting thread (the process is only waited on there).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
