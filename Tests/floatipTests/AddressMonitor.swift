import Foundation
import Glibc

/// Every add and delete of the lab's floating address on each node, as `ip -ts -o monitor address`
/// in the node's namespace reports it. Event-driven, so an overlap shorter than any sampling
/// interval is seen too; `holders` is the current state, cheap enough to sample every few ms.
/// The monitors are ended by their PIDs (SIGKILL) in `stop()` (and deinit).
final class AddressMonitor: @unchecked Sendable {
    /// One change: `node` gained (or renewed) or lost the address at `at` (when `ip` received it).
    struct Change {
        let node: Int
        let at: Date
        let added: Bool
    }

    private let lock = NSLock()
    private var changes: [Change] = []
    private var partial: [Int: [UInt8]] = [:]
    private var processes: [Process] = []
    private let needle: String
    private static let stamp: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current  // `ip -ts` prints local time
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"
        return formatter
    }()

    /// Starts one monitor per node of `lab`; returns once each has subscribed (it is running and
    /// a control address added in its namespace was reported).
    init(_ lab: AgentLab) throws {
        needle = " inet \(AgentLab.vip)/32 "
        for node in 1...lab.hosts.count {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ip", "netns", "exec", lab.namespace(node), "ip", "-ts", "-o", "monitor", "address"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                self?.take(node, Array(handle.availableData))
            }
            do {
                try process.run()
            } catch {
                stop()
                throw error
            }
            processes.append(process)
        }
        // Subscribed? A short-lived control address on lo (host scope) must show up in every stream.
        let deadline = Date().addingTimeInterval(5)
        var seen: Set<Int> = []
        while seen.count < lab.hosts.count, Date() < deadline {
            for node in 1...lab.hosts.count where !seen.contains(node) {
                _ = try? lab.network.ip(lab.namespace(node), "addr", "replace", "198.19.255.254/32", "dev", "lo")
                _ = try? lab.network.ip(lab.namespace(node), "addr", "del", "198.19.255.254/32", "dev", "lo")
            }
            usleep(50_000)
            seen = lock.withLock { subscribed }
        }
        guard seen.count == lab.hosts.count else {
            stop()
            throw CommandError(arguments: ["ip", "monitor"], status: -1, stderr: "address monitors not ready in 5 s")
        }
    }

    deinit { stop() }

    /// Ends the monitors by their PIDs. Idempotent.
    func stop() {
        for process in processes {
            (process.standardOutput as? Pipe)?.fileHandleForReading.readabilityHandler = nil
            // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        processes = []
    }

    /// The nodes that have the address now (as far as the monitors have reported).
    func holders() -> [Int] {
        lock.withLock { Self.state(after: changes.sorted { $0.at < $1.at }) }.sorted()
    }

    /// Every change so far, in time order.
    func timeline() -> [Change] { lock.withLock { changes }.sorted { $0.at < $1.at } }

    /// The instants at which two or more nodes had the address, with the nodes.
    func overlaps() -> [(at: Date, nodes: Set<Int>)] {
        var held: Set<Int> = []
        var found: [(Date, Set<Int>)] = []
        for change in timeline() {
            if change.added { held.insert(change.node) } else { held.remove(change.node) }
            if held.count > 1 { found.append((change.at, held)) }
        }
        return found
    }

    /// The first time after `instant` that a node other than `excluded` gained the address.
    func firstAdd(after instant: Date, excluding excluded: Int) -> Change? {
        timeline().first { $0.added && $0.node != excluded && $0.at > instant }
    }

    /// The last time `node` lost the address.
    func lastDelete(of node: Int) -> Date? {
        timeline().last { !$0.added && $0.node == node }?.at
    }

    private var subscribed: Set<Int> = []

    private func take(_ node: Int, _ bytes: [UInt8]) {
        lock.withLock {
            var pending = partial[node, default: []] + bytes
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line.contains(" 198.19.255.254/32 ") { subscribed.insert(node) }
                guard line.contains(needle), let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]"),
                    let at = Self.stamp.date(from: String(line[line.index(after: open)..<close]))
                else { continue }
                changes.append(Change(node: node, at: at, added: !line.contains("] Deleted ")))
            }
            partial[node] = pending
        }
    }

    private static func state(after changes: [Change]) -> Set<Int> {
        var held: Set<Int> = []
        for change in changes {
            if change.added { held.insert(change.node) } else { held.remove(change.node) }
        }
        return held
    }
}
