import FloatIPCore
import Foundation
import Glibc

/// Puts faults into a running lab and takes them out again. Remembers every fault in place, so
/// that `healAll` (on every way out, Ctrl-C included) removes them: nftables tables deleted,
/// stopped agents continued, links up, checks passing, maintenance off, killed etcd members restarted.
final class ChaosInjector {
    /// A fault in place, resolved to nodes.
    struct Active {
        var fault: ChaosFault
        var node: Int
        var peer: Int?
        var detail: String
        /// For `etcdKill`: the members killed (indices into `LabEtcd.members`).
        var members: [Int] = []
    }

    /// The nftables table the tool adds in a node's namespace (its name is how a later run finds it).
    static let table = "floatipchaos"

    let lab: Lab
    /// The lab's etcd, with `--etcd`.
    let etcd: LabEtcd?
    private let nft: String
    private var tables: Set<Int> = []
    private var stopped: [Int: Int32] = [:]
    private var linksDown: Set<Int> = []
    private var checksFailing: Set<Int> = []
    private var inMaintenance: Set<Int> = []
    private var agentsDown: Set<Int> = []
    private var membersDown: Set<Int> = []

    init(lab: Lab, etcd: LabEtcd? = nil) throws(LabError) {
        self.lab = lab
        self.etcd = etcd
        guard let nft = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw .missingTool("nft (install nftables)")
        }
        self.nft = nft
    }

    private var nodes: Int { lab.layout.nodes }

    /// The PID of node `node`'s agent, as the lab recorded it.
    func agentPID(_ node: Int) -> Int32? {
        lab.state.processes.first { $0.role == "agent" && $0.node == lab.layout.nodeName(node) }?.pid
    }

    /// Injects `fault` with `holder` holding the address now.
    func inject(_ fault: ChaosFault, holder: Int) throws(LabError) -> Active {
        let others = (1...nodes).filter { $0 != holder }
        let node: Int
        switch fault.target {
        case .holder: node = holder
        case .other(let index): node = others[index % others.count]
        }
        let name = lab.layout.nodeName(node)
        switch fault.kind {
        case .linkDown:
            linksDown.insert(node)
            try lab.setLink(node: node, up: false)
            return Active(fault: fault, node: node, detail: "\(name): link down for \(LabText.duration(fault.duration))")
        case .loss:
            for each in 1...nodes {
                try addRules(node: each, "udp dport \(defaultPeerPort) numgen random mod 100 < \(fault.percent) drop")
            }
            return Active(fault: fault, node: node, detail: "all nodes: drop \(fault.percent) % of peer datagrams for \(LabText.duration(fault.duration))")
        case .partition:
            let peer = node == holder ? others[fault.peerIndex % others.count] : holder
            try addRules(node: node, "ip saddr \(lab.layout.address(node: peer)) drop")
            if fault.twoWay { try addRules(node: peer, "ip saddr \(lab.layout.address(node: node)) drop") }
            let peerName = lab.layout.nodeName(peer)
            return Active(fault: fault, node: node, peer: peer, detail: fault.twoWay
                ? "\(name) and \(peerName) cut from each other for \(LabText.duration(fault.duration))"
                : "\(name) stops hearing \(peerName) (one way) for \(LabText.duration(fault.duration))")
        case .stall:
            guard let pid = agentPID(node) else { throw .system("no agent of \(name) to stall") }
            stopped[node] = pid
            kill(pid, SIGSTOP)
            return Active(fault: fault, node: node, detail: "\(name): agent stalled (SIGSTOP) for \(LabText.duration(fault.duration))")
        case .kill, .terminate:
            agentsDown.insert(node)
            try lab.stopAgent(node: node, signal: fault.kind == .kill ? SIGKILL : SIGTERM)
            return Active(fault: fault, node: node, detail: "\(name): agent \(fault.kind == .kill ? "SIGKILL" : "SIGTERM"), restarted "
                + "after \(LabText.duration(fault.duration))")
        case .failingCheck:
            checksFailing.insert(node)
            try lab.setService(node: node, up: false)
            return Active(fault: fault, node: node, detail: "\(name): service check failing for \(LabText.duration(fault.duration))")
        case .maintenance:
            // An operator's command can be refused (the agent busy, or just restarted): noted, not fatal.
            inMaintenance.insert(node)
            do {
                try lab.setMaintenance(node: node, on: true)
            } catch {
                inMaintenance.remove(node)
                return Active(fault: fault, node: node, detail: "\(name): maintenance on refused (\(error))")
            }
            return Active(fault: fault, node: node, detail: "\(name): maintenance on for \(LabText.duration(fault.duration)), then off")
        case .switchover:
            let target = node == holder ? others[0] : node
            let text = (try? lab.switchover(from: holder, to: target)).map { _ in "" } ?? " (refused)"
            return Active(fault: fault, node: target, peer: holder, detail: "switchover \(lab.layout.nodeName(holder)) → "
                + "\(lab.layout.nodeName(target))\(text)")
        case .etcdKill:
            guard let etcd else { throw .system("an etcd fault without the lab's etcd (--etcd)") }
            let count = etcd.members.count
            let leader = etcd.leader()
            let killed = (0..<min(max(1, fault.members), count)).map { (fault.peerIndex + $0) % count }
            for index in killed {
                membersDown.insert(index)
                etcd.kill(index)
            }
            let names = killed.map { etcd.members[$0].name + ($0 == leader ? " (the leader)" : "") }.joined(separator: " and ")
            let quorum = killed.count * 2 >= count ? ", no quorum" : ""
            return Active(fault: fault, node: holder, detail: "etcd \(names) killed (SIGKILL\(quorum)), restarted after "
                + "\(LabText.duration(fault.duration))", members: killed)
        case .etcdCut:
            guard let etcd else { throw .system("an etcd fault without the lab's etcd (--etcd)") }
            try addRules(node: node, chain: "out", "ip daddr { \(etcd.members.map(\.address).joined(separator: ", ")) } drop")
            return Active(fault: fault, node: node, detail: "\(name) cut off from every etcd member for \(LabText.duration(fault.duration))")
        }
    }

    /// Takes `active` out again.
    func remove(_ active: Active) throws(LabError) {
        switch active.fault.kind {
        case .linkDown: try setLinkUp(active.node)
        case .loss: for node in 1...nodes { try deleteRules(node: node) }
        case .partition:
            try deleteRules(node: active.node)
            if let peer = active.peer { try deleteRules(node: peer) }
        case .stall: resume(active.node)
        case .kill, .terminate: try startAgent(active.node)
        case .failingCheck: try passCheck(active.node)
        case .maintenance: try endMaintenance(active.node)
        case .switchover: break
        case .etcdKill: for index in active.members { try restartMember(index) }
        case .etcdCut: try deleteRules(node: active.node)
        }
    }

    /// Removes every fault still in place; carries on past errors and reports them all at the end.
    func healAll() throws(LabError) {
        var failures: [String] = []
        func attempt(_ body: () throws(LabError) -> Void) {
            do { try body() } catch { failures.append(error.description) }
        }
        // etcd and the agents first: `maintenance off` needs a running agent to talk to.
        for index in membersDown { attempt { () throws(LabError) in try restartMember(index) } }
        for node in stopped.keys { resume(node) }
        for node in agentsDown { attempt { () throws(LabError) in try startAgent(node) } }
        for node in tables { attempt { () throws(LabError) in try deleteRules(node: node) } }
        for node in linksDown { attempt { () throws(LabError) in try setLinkUp(node) } }
        for node in checksFailing { attempt { () throws(LabError) in try passCheck(node) } }
        for node in inMaintenance { attempt { () throws(LabError) in try endMaintenance(node) } }
        guard failures.isEmpty else { throw .system("removing the chaos faults: " + failures.joined(separator: "; ")) }
    }

    // MARK: Pieces

    /// Adds `rule` to the `in` (input hook) or `out` (output hook) chain of the tool's table in
    /// node `node`'s namespace (one nft transaction: on failure nothing was added).
    private func addRules(node: Int, chain: String = "in", _ rule: String) throws(LabError) {
        let table = "inet \(Self.table)"
        let create = tables.contains(node) ? "" : "add table \(table); add chain \(table) in { type filter hook input priority 0; }; "
            + "add chain \(table) out { type filter hook output priority 0; }; "
        try LabShell.ip(["netns", "exec", lab.layout.namespace(node: node), nft, create + "add rule \(table) \(chain) \(rule)"])
        tables.insert(node)
    }

    private func deleteRules(node: Int) throws(LabError) {
        guard tables.contains(node) else { return }
        try LabShell.ip(["netns", "exec", lab.layout.namespace(node: node), nft, "delete table inet \(Self.table)"])
        tables.remove(node)
    }

    private func setLinkUp(_ node: Int) throws(LabError) {
        try lab.setLink(node: node, up: true)
        linksDown.remove(node)
    }

    private func resume(_ node: Int) {
        guard let pid = stopped.removeValue(forKey: node) else { return }
        kill(pid, SIGCONT)
    }

    private func passCheck(_ node: Int) throws(LabError) {
        try lab.setService(node: node, up: true)
        checksFailing.remove(node)
    }

    /// `maintenance off`, tried for up to 3 s (a busy agent may refuse once, a restarted one has
    /// not opened its API yet): a node left in maintenance would skew the rest of the run.
    private func endMaintenance(_ node: Int) throws(LabError) {
        var attempt = 1
        while true {
            do {
                try lab.setMaintenance(node: node, on: false)
                inMaintenance.remove(node)
                return
            } catch {
                guard attempt < 15 else { throw error }
                attempt += 1
                usleep(200_000)
            }
        }
    }

    private func startAgent(_ node: Int) throws(LabError) {
        guard agentsDown.contains(node) else { return }
        try lab.startAgent(node: node)
        agentsDown.remove(node)
    }

    private func restartMember(_ index: Int) throws(LabError) {
        guard membersDown.contains(index), let etcd else { return }
        try etcd.restart(index)
        membersDown.remove(index)
    }
}
