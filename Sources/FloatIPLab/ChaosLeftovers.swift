import Foundation
import Glibc

/// Finds what an earlier chaos run left when it was killed (SIGKILL, a crash, a power cut of the
/// terminal) and removes it, by name only: labs named `chaos-PID` whose PID no longer runs (their
/// namespaces `floatip-chaos-PID-…`, directories `chaos-PID` in the lab root and in the etcd root).
/// Their stopped agents are continued first (a SIGSTOPped process ignores SIGTERM until then);
/// their nftables tables, downed links and etcd members live in their namespaces and go with them.
enum ChaosLeftovers {
    /// Removes every leftover chaos lab; the names of those removed.
    static func remove(root: String = LabLayout.root) throws(LabError) -> [String] {
        var names = Set<String>()
        for namespace in try LabShell.namespaces() {
            if let name = labName(namespace: namespace) { names.insert(name) }
        }
        for directory in [root, LabLayout.etcdRoot(labRoot: root)] {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where isChaosName(entry) {
                names.insert(entry)
            }
        }
        var removed: [String] = []
        for name in names.sorted() {
            // A run still going (its PID alive) is left alone.
            guard let pid = Int32(name.dropFirst("chaos-".count)), pid != getpid(), !LabProcesses.isRunning(pid) else { continue }
            let layout = try LabLayout(name: name, nodes: LabLayout.maximumNodes, root: root)
            let existing = try LabShell.namespaces()
            for namespace in layout.allNamespaces where existing.contains(namespace) {
                let listed = (try? LabShell.ip("netns", "pids", namespace)) ?? ""
                for pid in listed.split(separator: "\n").compactMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) {
                    kill(pid, SIGCONT)
                }
            }
            try Lab.down(layout)
            removed.append(name)
        }
        return removed
    }

    /// `chaos-1234` for `floatip-chaos-1234-web2`, nil for anything else.
    static func labName(namespace: String) -> String? {
        guard namespace.hasPrefix("floatip-chaos-") else { return nil }
        let rest = namespace.dropFirst("floatip-".count).split(separator: "-")
        guard rest.count == 3 else { return nil }
        let name = "\(rest[0])-\(rest[1])"
        return isChaosName(name) ? name : nil
    }

    /// Whether `name` is a default chaos lab name: `chaos-` and a PID.
    static func isChaosName(_ name: String) -> Bool {
        name.hasPrefix("chaos-") && name.count > 6 && name.dropFirst(6).allSatisfy(\.isNumber)
    }
}
