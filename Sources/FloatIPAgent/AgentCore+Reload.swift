import FloatIPCore

extension AgentCore {
    /// Takes a reloaded config (docs/operations.md, "Reload"): the machine keeps the engines of the
    /// groups it keeps (no transition for them), makes new ones for groups added and for those in
    /// `fresh` (handed over already, to be claimed again with their new mover), forgets the ones gone
    /// (the caller has handed them over or released them). `movers`: the movers of the new config.
    /// `secret`: a new shared secret, rotated in over `secretGrace`.
    public func reconfigure(
        _ new: ClusterConfig, movers newMovers: [String: any Mover], fresh: Set<String> = [], secret: [UInt8]? = nil,
        secretGrace: Duration = .zero
    ) {
        machine.reconfigure(new.floatipProtocolOnly, fresh: fresh, secret: secret, secretGrace: secretGrace, now: clock.now())
        config = new
        movers = newMovers
        // A group's queue stays across a reload (a remade group's release and its next claim keep their order).
        for group in new.groups where queues[group.name] == nil { queues[group.name] = MoverQueue() }
        let names = Set(new.groups.map(\.name))
        checkConditions = checkConditions.filter { names.contains($0.key) && !fresh.contains($0.key) }
        coordinationFaults = coordinationFaults.filter { names.contains($0.key) }
        transport.setPeers(new.peers)
        tick()
    }

    /// A held group whose addresses, lifetime or announcements a reload changed: its mover changes them
    /// in place (`ReshapingMover`), queued after what the group's mover is doing. Returns false when
    /// this node does not hold `group` (nothing to do: its next claim uses the new settings).
    public func reshape(_ group: GroupConfig, from old: GroupConfig) -> Bool {
        guard let engine = machine.engine(group.name), engine.role == .holder,
            let mover = movers[group.name] as? any ReshapingMover, let queue = queues[group.name]
        else { return false }
        let epoch = engine.term
        enqueueMove(on: queue, group: group.name, "reshape", epoch: epoch) { try await mover.reshape(group, from: old, epoch: epoch) }
        return true
    }

    /// Releases a group the config no longer has (or a remade one's old placement), `old` as it was,
    /// after its queued operations; waits for it.
    public func release(removed old: GroupConfig, mover: any Mover) async {
        let queue = queues[old.name] ?? MoverQueue()
        let clock = self.clock
        let onEvent = self.onEvent
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.enqueue {
                let started = clock.now()
                var failure: String?
                do { try await mover.release(old, epoch: 0) } catch { failure = "\(error)" }
                onEvent(.mover(group: old.name, operation: "release", epoch: 0, took: clock.now() - started, error: failure))
                done.resume()
            }
        }
    }

    /// The names of the groups, in config order.
    public func groupNames() -> [String] { config.groups.map(\.name) }

    /// Waits until this node holds none of `groups` (every group when nil) or `bound` passes (or the
    /// task is cancelled); returns the groups still held. A stop and a reload hand over with it.
    public func waitUntilReleased(_ groups: Set<String>? = nil, within bound: Duration) async -> [String] {
        func held() -> [String] {
            roles().filter { $0.role == .holder && (groups?.contains($0.group) ?? true) }.map(\.group)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + bound
        while clock.now < deadline, !held().isEmpty {
            do { try await Task.sleep(for: .milliseconds(10)) } catch { break }
        }
        return held()
    }

    /// Queues one mover operation of `group` after what its mover is doing, and reports it (`AgentEvent.mover`)
    /// with how long it took and its error.
    func enqueueMove(
        on queue: MoverQueue, group: String, _ operation: String, epoch: UInt64,
        _ body: @escaping @Sendable () async throws -> Void
    ) {
        let clock = self.clock
        let onEvent = self.onEvent
        queue.enqueue {
            let started = clock.now()
            var failure: String?
            do { try await body() } catch { failure = "\(error)" }
            onEvent(.mover(group: group, operation: operation, epoch: epoch, took: clock.now() - started, error: failure))
        }
    }
}
