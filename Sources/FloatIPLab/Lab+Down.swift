import Foundation
import Glibc

/// What `Lab.down` removed.
public struct LabRemoval: Sendable, Equatable {
    /// Processes ended (agents, responders, anything else left inside the lab's namespaces).
    public var processes: Int = 0
    /// Of those, how many needed SIGKILL.
    public var killed: Int = 0
    /// Namespaces deleted.
    public var namespaces: Int = 0
    /// Whether the lab's directory (or its etcd's) was there and was removed.
    public var directory = false

    /// Whether there was nothing to remove.
    public var nothing: Bool { processes == 0 && namespaces == 0 && !directory }
}

extension Lab {
    /// How long agents get after SIGTERM (they try to hand over for `handover_timeout` first).
    public static let stopGrace: Duration = .seconds(3)

    /// Removes the lab named in `layout`: ends its processes (SIGTERM, then SIGKILL after
    /// `stopGrace`), deletes its namespaces (and with them the veths and the bridge) and its
    /// directories (its etcd's data too: the members run in its switch namespace). Idempotent; works from the names alone when the state file is missing or
    /// half-written. Only processes recorded by the lab (and still naming its directory) or
    /// running inside its namespaces are signalled.
    @discardableResult
    public static func down(_ layout: LabLayout) throws(LabError) -> LabRemoval {
        try requireRoot()
        var removal = LabRemoval()
        let existing = try LabShell.namespaces()
        let namespaces = layout.allNamespaces.filter(existing.contains)

        var pids: [Int32] = []
        if let state = LabState.read(layout.stateFile) {
            pids += state.processes.map(\.pid).filter { LabProcesses.belongs($0, to: layout.directory) }
        }
        for namespace in namespaces {
            let listed = (try? LabShell.ip("netns", "pids", namespace)) ?? ""
            pids += listed.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        }
        pids = Array(Set(pids)).filter { $0 != getpid() && LabProcesses.isRunning($0) }
        removal.processes = pids.count
        removal.killed = LabProcesses.stop(pids, grace: stopGrace).count

        // Nodes and client first, the switch last (deleting a namespace deletes its veth ends).
        var failures: [String] = []
        for namespace in namespaces.reversed() {
            do {
                try LabShell.ip("netns", "del", namespace)
                removal.namespaces += 1
            } catch {
                failures.append(error.description)
            }
        }
        removeFRRRunFiles(layout)
        for directory in [layout.directory, layout.etcdDirectory] where FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.removeItem(atPath: directory)
                removal.directory = true
            } catch {
                failures.append("cannot remove \(directory): \(error)")
            }
        }
        guard failures.isEmpty else { throw .system(failures.joined(separator: "\n")) }
        return removal
    }

    /// Removes this lab (see `down(_:)`).
    @discardableResult
    public func down() throws(LabError) -> LabRemoval { try Lab.down(layout) }
}
