import FloatIPLinux
import Foundation
import Glibc

/// A lab on this machine: a switch namespace with a bridge, N node namespaces (web1…webN, each
/// with `floatip agent` and a responder) and a client namespace, all on 198.18.0.0/24, no route out.
///
/// `up` builds it and waits until the client is answered through the floating address; `down`
/// removes it, from the state file and from the names alone, so it also cleans a half-built lab.
public final class Lab {
    /// The lab's names and addresses.
    public let layout: LabLayout
    /// What has been built so far (also in `layout.stateFile`).
    public internal(set) var state: LabState
    /// The `floatip` binary the agents and responders run.
    public let binary: String
    let interrupt: LabInterrupt

    private init(layout: LabLayout, binary: String, interrupt: LabInterrupt) {
        self.layout = layout
        self.binary = binary
        self.interrupt = interrupt
        self.state = LabState(name: layout.name, nodes: layout.nodes)
    }

    /// Throws `LabError.needsRoot` unless running as root.
    public static func requireRoot() throws(LabError) {
        guard geteuid() == 0 else { throw .needsRoot }
    }

    /// The running `floatip` binary's absolute path (`/proc/self/exe`), for the agents and responders.
    public static func currentBinary() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Builds the lab and waits (bounded) until the client is answered by web1 through the floating
    /// address. On any error or signal it removes what it built and rethrows.
    /// `beforeAgents` runs once the network is built and before any agent starts (a test starts
    /// etcd on the switch there); its error removes the lab.
    public static func up(
        _ layout: LabLayout, binary: String = currentBinary(), interrupt: LabInterrupt = .shared,
        progress: (String) -> Void = { _ in }, beforeAgents: () throws -> Void = {}
    ) throws(LabError) -> Lab {
        try requireRoot()
        _ = try LabShell.ipTool()
        let existing = try LabShell.namespaces()
        if FileManager.default.fileExists(atPath: layout.directory) || layout.allNamespaces.contains(where: existing.contains) {
            throw .exists(layout.name)
        }
        let lab = Lab(layout: layout, binary: binary, interrupt: interrupt)
        do {
            try lab.build(beforeAgents: beforeAgents, progress: progress)
            return lab
        } catch {
            progress("removing the half-built lab (\(error))")
            _ = try? Lab.down(layout)
            throw error
        }
    }

    private func build(beforeAgents: () throws -> Void, progress: (String) -> Void) throws(LabError) {
        do {
            try FileManager.default.createDirectory(
                atPath: layout.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .system("cannot create \(layout.directory): \(error)")
        }
        try state.write(layout.stateFile)

        let switchNamespace = try addNamespace(layout.switchNamespace)
        try LabShell.ip("-n", switchNamespace, "link", "add", LabLayout.bridge, "type", "bridge")
        try LabShell.ip("-n", switchNamespace, "link", "set", LabLayout.bridge, "up")
        if layout.router != nil {
            _ = try addNamespace(layout.clientNamespace)
        } else {
            try plug(addNamespace(layout.clientNamespace), port: layout.clientSwitchPort, address: LabLayout.clientAddress)
        }
        for node in 1...layout.nodes {
            try plug(addNamespace(layout.namespace(node: node)), port: layout.switchPort(node: node), address: layout.address(node: node))
        }
        if layout.router != nil {
            try buildRouter()
            progress("network: \(layout.nodes) nodes on 198.18.0.0/24, a router (\(LabLayout.routerAddress)) and behind it a client on "
                + "198.18.9.0/24 (no route out)")
        } else {
            progress("network: switch, \(layout.nodes) nodes and a client on 198.18.0.0/24 (no route out)")
        }

        try write(randomSecret(), to: layout.secretFile, mode: 0o600)
        try write(randomSecret(), to: layout.tokenFile, mode: 0o600)
        for node in 1...layout.nodes {
            try write(layout.config(node: node), to: layout.configFile(node: node), mode: 0o600)
            try write("", to: layout.serviceFile(node: node), mode: 0o644)
        }
        if let router = layout.router {
            try startRouter()
            progress("router: \(router == .bird ? "BIRD" : "FRR (zebra, bgpd, bfdd)") in \(layout.switchNamespace), eBGP with every "
                + "node, BFD 3 × 100 ms (log \(layout.routerLog))")
        }
        do {
            try beforeAgents()
        } catch {
            throw .system("preparing the lab before the agents start: \(error)")
        }
        for node in 1...layout.nodes {
            try interrupt.check()
            try start("responder", node: node, log: layout.responderLog(node: node), [
                "lab", "responder", "--node", layout.nodeName(node), "--directory", layout.directory,
            ])
            if layout.keepalived.contains(node) { try startKeepalived(node: node) } else { try startAgent(node: node) }
        }
        let agents = layout.nodes - layout.keepalived.count
        progress("started \(agents) agents" + (layout.keepalived.isEmpty ? "" : " (VRRP), \(layout.keepalived.count) keepalived")
            + " and \(layout.nodes) responders (logs in \(layout.directory))")

        let answer = try interrupt.wait(.seconds(15), for: "the client being answered by web1 through \(LabLayout.floatingAddress)") {
            () throws(LabError) -> String? in
            try checkProcesses()
            return try LabClient.ask(from: layout.clientNamespace, timeout: .milliseconds(50)).flatMap { $0 == "web1" ? $0 : nil }
        }
        progress("ready: \(answer) holds \(LabLayout.floatingAddress) and answers the client on port \(LabLayout.responderPort)")
    }

    /// Throws if an agent or responder the lab started has exited (its log says why).
    public func checkProcesses() throws(LabError) {
        for process in state.processes where !LabProcesses.isRunning(process.pid) {
            let node = nodeNumber(process.node)
            let log = switch process.role {
            case "agent": layout.agentLog(node: node)
            case "keepalived": layout.keepalivedLog(node: node)
            case "router": layout.routerLog
            default: layout.responderLog(node: node)
            }
            throw .system("the \(process.role) of \(process.node) exited; its log \(log) ends with:\n\(LabText.tail(of: log, lines: 3))")
        }
    }

    /// `web2` → 2 (the lab names its nodes `webN`).
    func nodeNumber(_ name: String) -> Int { Int(name.dropFirst(3)) ?? 1 }

    private func addNamespace(_ name: String) throws(LabError) -> String {
        try interrupt.check()
        try LabShell.ip("netns", "add", name)
        state.namespaces.append(name)
        try state.write(layout.stateFile)
        try LabShell.ip("-n", name, "link", "set", "lo", "up")
        return name
    }

    /// A veth from `namespace`'s eth0 to `port` on the switch's bridge, with `address`/24.
    private func plug(_ namespace: String, port: String, address: String) throws(LabError) {
        let switchNamespace = layout.switchNamespace
        try LabShell.ip("-n", switchNamespace, "link", "add", port, "type", "veth", "peer", "name", LabLayout.interface, "netns", namespace)
        try LabShell.ip("-n", switchNamespace, "link", "set", port, "master", LabLayout.bridge)
        try LabShell.ip("-n", switchNamespace, "link", "set", port, "up")
        try LabShell.ip("-n", namespace, "addr", "add", "\(address)/24", "dev", LabLayout.interface)
        try LabShell.ip("-n", namespace, "link", "set", LabLayout.interface, "up")
    }

    func start(_ role: String, node: Int, log: String, _ arguments: [String]) throws(LabError) {
        let pid = try LabSpawn.start(try LabShell.ipTool(), ["netns", "exec", layout.namespace(node: node), binary] + arguments, log: log)
        state.processes.append(LabProcess(role: role, node: layout.nodeName(node), pid: pid))
        try state.write(layout.stateFile)
    }

    private func write(_ text: String, to path: String, mode: Int) throws(LabError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw .system("cannot write \(path)")
        }
    }

    private func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined() + "\n"
    }
}
