import FloatIPAgent
import FloatIPCore
import FloatIPLinux
import Synchronization

/// Peers connected in memory (the transport seam's test double): every datagram is delivered at
/// once unless its sender or receiver is cut off. Like the UDP transport, an endpoint is polled by
/// the agent's own loop thread (a pipe made readable per datagram), so delivery does not wait for
/// the cooperative pool, which parallel tests may keep busy.
final class InMemoryNetwork: Sendable {
    private let state = Mutex<(inboxes: [String: Inbox], cut: Set<String>)>(([:], []))

    /// The transport of node `name`.
    func endpoint(_ name: String) -> Endpoint {
        let inbox = Inbox()
        state.withLock { $0.inboxes[name] = inbox }
        return Endpoint(name: name, network: self, inbox: inbox)
    }

    /// Drops everything `name` sends or would receive (a dead host, a pulled cable).
    func cut(_ name: String) { state.withLock { _ = $0.cut.insert(name) } }

    fileprivate func deliver(_ datagram: [UInt8], from: String, to: String) {
        let inbox = state.withLock { state -> Inbox? in
            guard !state.cut.contains(from), !state.cut.contains(to) else { return nil }
            return state.inboxes[to]
        }
        inbox?.put(datagram, from: from)
    }

    /// One node's queue of datagrams, and the pipe that tells its poller they are there.
    final class Inbox: Sendable {
        private let queue = Mutex<[([UInt8], String?)]>([])
        let wake = try! WakePipe()  // a test double: a pipe the system refuses is a broken test host

        func put(_ datagram: [UInt8], from: String) {
            queue.withLock { $0.append((datagram, from)) }
            wake.signal()
        }

        func take() -> [([UInt8], String?)] {
            wake.drain()
            return queue.withLock { queue in
                defer { queue.removeAll() }
                return queue
            }
        }

        deinit { wake.close() }
    }

    struct Endpoint: PeerTransport {
        let name: String
        let network: InMemoryNetwork
        let inbox: Inbox

        func send(_ datagram: [UInt8], to peer: String) { network.deliver(datagram, from: name, to: peer) }
        var descriptor: Int32 { inbox.wake.readEnd }
        func readAvailable(_ deliver: ([UInt8], String?) -> Void) {
            for (datagram, from) in inbox.take() { deliver(datagram, from) }
        }
    }
}

/// Who has each group's addresses (the mover seam's test double), with the time of every change,
/// so a test can tell whether a group was ever left without a holder.
final class RecordingWorld: Sendable {
    struct Change: Sendable {
        var at: ContinuousClock.Instant
        var holders: Set<String>
    }

    private let state = Mutex<(holders: [String: Set<String>], history: [String: [Change]])>(([:], [:]))

    func holders(_ group: String) -> Set<String> { state.withLock { $0.holders[group] ?? [] } }

    func set(_ group: String, _ node: String, holding: Bool) {
        state.withLock { state in
            var holders = state.holders[group] ?? []
            if holding { holders.insert(node) } else { holders.remove(node) }
            state.holders[group] = holders
            state.history[group, default: []].append(Change(at: .now, holders: holders))
        }
    }

    /// Whether the group went without a holder at any time after it first had one.
    func everUnheld(_ group: String) -> Bool {
        let history = state.withLock { $0.history[group] ?? [] }
        guard let first = history.firstIndex(where: { !$0.holders.isEmpty }) else { return false }
        return history[first...].contains { $0.holders.isEmpty }
    }

    /// The mover of `node`: claims take 2 ms.
    func mover(_ node: String) -> RecordingMover { RecordingMover(node: node, world: self) }

    struct RecordingMover: Mover {
        let node: String
        let world: RecordingWorld

        func claim(_ group: GroupConfig, epoch: UInt64) async throws {
            try await Task.sleep(for: .milliseconds(2))
            world.set(group.name, node, holding: true)
        }

        func release(_ group: GroupConfig, epoch: UInt64) async throws { world.set(group.name, node, holding: false) }
        func announce(_ group: GroupConfig) async throws {}
        func holder(of group: GroupConfig) async throws -> MoverHolder {
            world.holders(group.name).contains(node) ? .this : .none
        }
    }
}
