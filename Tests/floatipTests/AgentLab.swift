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

    /// `count` nodes web1…webN at 198.18.0.1…N on bridge br0; web1 has the highest priority.
    /// `wrongSecret`: nodes given a secret of their own (as a misconfigured peer would have).
    /// `hooks`: every node runs `hookScript` on becoming holder (it appends node, role and previous role to `hookLog`).
    /// `mover`: the group's `mover:` for each node (flow YAML), instead of the local mover on eth0.
    init(
        nodes count: Int = 2, lifetime: String = "3s", wrongSecret: Set<Int> = [], hooks: Bool = false,
        mover: ((Int) -> String)? = nil
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-lab-\(network.prefix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secret = directory.appendingPathComponent("secret")
        try Data("lab secret 0123456789abcdef\n".utf8).write(to: secret)
        try Data("lab api token 0123456789\n".utf8).write(to: directory.appendingPathComponent("token"))
        if hooks {
            let script = "#!/bin/sh\necho \"$FLOATIP_NODE $FLOATIP_ROLE $FLOATIP_PREVIOUS_ROLE $FLOATIP_ADDRESSES\" >> \(hookLog.path)\n"
            try script.write(to: hookScript, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hookScript.path)
        }
        let otherSecret = directory.appendingPathComponent("other-secret")
        try Data("another secret 0123456789abcdef\n".utf8).write(to: otherSecret)
        let switchNamespace = try network.namespace("sw")
        try network.bridge(switchNamespace, "br0")
        for number in 1...count {
            let host = try network.namespace("web\(number)")
            try network.link(host, "eth0", switchNamespace, "p\(number)")
            try network.ip(switchNamespace, "link", "set", "p\(number)", "master", "br0")
            try network.ip(host, "addr", "add", "198.18.0.\(number)/24", "dev", "eth0")
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
                    addresses: [\(Self.vip)/32]
                    \(mover.map { "mover: \($0(number))" } ?? "interface: eth0\n    address_lifetime: \(lifetime)")
                    priority: \(250 - number * 10)
                checks:
                  - { name: service, kind: file, target: \(serviceFile(number).path), interval: 100ms, timeout: 50ms, rise: 1, fall: 1 }
                api: { listen: "127.0.0.1:7454", token_file: \(directory.appendingPathComponent("token").path) }
                event_log: \(eventLog(number).path)
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

    /// Cuts the nodes off from each other at the switch (bridge port isolation), or heals that.
    func partition(_ on: Bool) throws {
        for number in 1...hosts.count {
            try network.ip(network.namespaces.first { $0.hasSuffix("-sw") } ?? "", "link", "set", "dev", "p\(number)",
                           "type", "bridge_slave", "isolated", on ? "on" : "off")
        }
    }

    /// Node `node`'s config file.
    func config(_ node: Int) -> String { directory.appendingPathComponent("web\(node).yaml").path }

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

    /// Starts `floatip agent` for node `node` (1-based) in its namespace.
    func start(_ node: Int) throws {
        let name = "web\(node)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "ip", "netns", "exec", namespace(node), try CLITests.floatipBinary().path, "agent", "-c",
            directory.appendingPathComponent("\(name).yaml").path,
        ]
        let log = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardError = handle
        process.standardOutput = handle
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

    /// The nodes that have the floating address now.
    func holders() throws -> [Int] { try (1...hosts.count).filter { try holds($0) } }

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
