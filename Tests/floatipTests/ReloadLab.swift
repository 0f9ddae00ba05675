import FloatIPLab
import Foundation
import Glibc
import Testing

/// Two real agents (`AgentLab`) with several groups, a responder on each node and a client probing
/// the floating addresses over UDP, for the reload tests: a test writes a node's config with
/// `write`, sends SIGHUP, and reads what the client saw.
final class ReloadLab {
    /// One group as both nodes configure it.
    struct Group {
        var name: String
        var addresses: [String]
        /// web1's and web2's priority.
        var priorities: (Int, Int)
        /// `virtual_mac`, if any.
        var virtualMAC: Int?
    }

    let lab: AgentLab
    let client: String
    private var responders: [Process] = []

    init(_ groups: [Group]) throws {
        lab = try AgentLab()
        client = try lab.addClient()
        for node in 1...2 { try write(node, groups) }
        for node in 1...2 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "ip", "netns", "exec", lab.namespace(node), try CLITests.floatipBinary().path, "lab", "responder",
                "--node", "web\(node)", "--directory", lab.directory.path, "--lifetime", "120",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            responders.append(process)
        }
        try lab.start(1)
        try lab.start(2)
    }

    deinit {
        for process in responders where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in responders { process.waitUntilExit() }
    }

    /// Node `node`'s config with `groups` (`tweak` edits the text last, to break it or change the node).
    /// `checks`: more lines under `checks:` (flow mappings).
    func write(_ node: Int, _ groups: [Group], checks: [String] = [], tweak: (String) -> String = { $0 }) throws {
        let peer = 3 - node
        let directory = lab.directory.path
        let groupLines = groups.map { group in
            """
              - name: \(group.name)
                addresses: [\(group.addresses.map { "\($0)/32" }.joined(separator: ", "))]
                interface: eth0
                address_lifetime: 3s
                priority: \(node == 1 ? group.priorities.0 : group.priorities.1)
            """ + (group.virtualMAC.map { "\n    virtual_mac: \($0)" } ?? "")
        }.joined(separator: "\n")
        let config = """
            cluster: lab
            node: { name: web\(node), address: 198.18.0.\(node) }
            peers:
              - { name: web\(peer), address: 198.18.0.\(peer) }
            secret_file: \(directory)/secret
            timers: { preempt_delay: 1s, handover_timeout: 2s }
            groups:
            \(groupLines)
            checks:
              - { name: service, kind: file, target: \(lab.serviceFile(node).path), interval: 100ms, timeout: 90ms, rise: 1, fall: 2 }
            \(checks.map { "  - \($0)" }.joined(separator: "\n"))
            api: { listen: "127.0.0.1:7454", socket: \(lab.apiSocket(node).path), token_file: \(directory)/token }
            event_log: \(lab.eventLog(node).path)
            state_dir: \(lab.stateDirectory(node).path)

            """
        try tweak(config).write(toFile: lab.config(node), atomically: true, encoding: .utf8)
    }

    /// Whether node `node` has `address` on eth0 now.
    func has(_ node: Int, _ address: String) throws -> Bool {
        try lab.network.ip(lab.namespace(node), "-4", "addr", "show", "dev", "eth0").contains("\(address)/32")
    }

    /// The nodes that have `address` now.
    func holders(_ address: String) throws -> [Int] { try (1...2).filter { try has($0, address) } }

    /// A probe from the client to `address`, started.
    func probe(_ address: String) throws -> LabProbe {
        let probe = try LabProbe(namespace: client, address: address, maximumDuration: .seconds(60))
        probe.start()
        return probe
    }

    /// Node `node`'s event log entries named `event`, of `group` if given.
    func events(_ node: Int, _ event: String, group: String? = nil) -> [[String: Any]] {
        lab.events(node).filter { $0["event"] as? String == event && (group == nil || $0["group"] as? String == group) }
    }

    /// Sends SIGHUP to each of `nodes` and waits (bounded) until each has logged its reload's outcome.
    func reload(_ nodes: [Int]) async throws {
        let before = nodes.map { events($0, "reload").count }
        for node in nodes { lab.signal(node, SIGHUP) }
        for (index, node) in nodes.enumerated() {
            let done = try await lab.wait(.seconds(10)) { events(node, "reload").count > before[index] }
            #expect(done != nil, "web\(node) never finished its reload: \(lab.log(node))")
        }
    }

    /// Waits until the client's probe has had an answer from `node` at or after `instant`.
    func answered(by node: Int, _ probe: LabProbe, after instant: ContinuousClock.Instant) async throws -> Bool {
        try await lab.wait(.seconds(10)) {
            guard let latest = probe.latestAnswer() else { return false }
            return latest.node == "web\(node)" && latest.at >= instant
        } != nil
    }
}
