import Foundation
import Glibc

extension Lab {
    /// Takes node `node`'s link to the switch down or brings it back (`ip link set eth0 down|up`
    /// in its namespace): to the others the node is gone, but its agent keeps running.
    public func setLink(node: Int, up: Bool) throws(LabError) {
        try LabShell.ip("-n", layout.namespace(node: node), "link", "set", LabLayout.interface, up ? "up" : "down")
    }

    /// Makes node `node`'s required `service` check fail (removes its file) or pass again.
    public func setService(node: Int, up: Bool) throws(LabError) {
        let path = layout.serviceFile(node: node)
        if up {
            guard FileManager.default.createFile(atPath: path, contents: Data()) else { throw .system("cannot create \(path)") }
        } else {
            do { try FileManager.default.removeItem(atPath: path) } catch { throw .system("cannot remove \(path): \(error)") }
        }
    }

    /// Puts node `node` into operator maintenance or takes it out, as an operator would: with
    /// `floatip maintenance on|off` run in the node's namespace against its agent's API.
    public func setMaintenance(node: Int, on: Bool) throws(LabError) {
        _ = try LabShell.ip("netns", "exec", layout.namespace(node: node), binary, "maintenance", on ? "on" : "off",
                            "--config", layout.configFile(node: node))
    }

    /// Moves the group to `target` as an operator would: `floatip switchover web --to webN` run in
    /// the holder's namespace (`from`) against its agent's API. Returns what the command printed.
    public func switchover(from node: Int, to target: Int) throws(LabError) -> String {
        try LabShell.ip("netns", "exec", layout.namespace(node: node), binary, "switchover", "web",
                        "--to", layout.nodeName(target), "--config", layout.configFile(node: node))
    }

    /// Restarts node `node`'s agent as an operator would (`systemctl restart`): SIGTERM (it hands
    /// its groups over and exits), then starts it again with the same config.
    public func restartAgent(node: Int) throws(LabError) {
        try stopAgent(node: node, signal: SIGTERM)
        try startAgent(node: node)
    }

    /// Ends node `node`'s agent with `signal` and waits for it (bounded: SIGKILL when it still runs
    /// 2 s after a SIGKILL, or the hand-over bound plus 3 s after another signal). It leaves the
    /// lab's record first, so that nobody takes its exit for a crash.
    public func stopAgent(node: Int, signal: Int32) throws(LabError) {
        let name = layout.nodeName(node)
        guard let index = state.processes.firstIndex(where: { $0.role == "agent" && $0.node == name }) else {
            throw .system("no agent of \(name) in this lab")
        }
        let pid = state.processes.remove(at: index).pid
        try state.write(layout.stateFile)
        guard LabProcesses.belongs(pid, to: layout.directory) else { return }
        kill(pid, signal)
        // A stopped agent (a chaos stall) handles the signal only once continued.
        kill(pid, SIGCONT)
        let limit = signal == SIGKILL ? Duration.seconds(2) : LabLayout.handoverTimeout + .seconds(3)
        if !LabProcesses.waitForExit([pid], within: limit).isEmpty {
            kill(pid, SIGKILL)
            _ = LabProcesses.waitForExit([pid], within: .seconds(2))
        }
    }

    /// Starts node `node`'s agent with its config (after `stopAgent`, or after it exited), with `extra`
    /// arguments (`--maintenance`).
    public func startAgent(node: Int, _ extra: [String] = []) throws(LabError) {
        try start("agent", node: node, log: layout.agentLog(node: node), ["agent", "-c", layout.configFile(node: node)] + extra)
    }

    /// The nodes that have the floating address on eth0 now, read one after another. A move between
    /// two reads can look like two holders: count two only when a second read confirms them
    /// (`confirmedHolders`).
    public func holders() throws(LabError) -> [Int] {
        var nodes: [Int] = []
        for node in 1...layout.nodes {
            let text = try LabShell.ip("-n", layout.namespace(node: node), "-4", "-o", "addr", "show", "dev", LabLayout.interface)
            if text.contains(" \(LabLayout.floatingAddress)/32 ") { nodes.append(node) }
        }
        return nodes
    }

    /// `holders()`, and when it finds more than one, read again at once and keep those found both
    /// times: each was holding at some instant between its two reads, and those spans overlap.
    public func confirmedHolders() throws(LabError) -> [Int] {
        let first = try holders()
        guard first.count > 1 else { return first }
        let again = Set(try holders())
        return first.filter(again.contains)
    }
}
