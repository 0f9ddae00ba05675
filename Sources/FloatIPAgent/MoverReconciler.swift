import FloatIPCore
import FloatIPLinux
import Logging

/// Keeps a provider's routing in line with the agent's decision: every `reconcile_interval`,
/// while this node holds a group whose mover talks to a provider, asks the mover who holds it;
/// if the provider says someone else (an operator moved it by hand, a stale script), it logs that
/// and claims again, through the group's mover queue so it never races a claim or release.
public struct MoverReconciler: Sendable {
    let agent: AgentCore
    /// The interval of each reconciled group, by group name.
    let intervals: [String: Duration]
    let logger: Logger

    public init(agent: AgentCore, intervals: [String: Duration], logger: Logger = .silent) {
        self.agent = agent
        self.intervals = intervals
        self.logger = logger
    }

    /// Runs until cancelled; one loop per group, each on absolute deadlines.
    public func run() async {
        await withTaskGroup(of: Void.self) { tasks in
            for (group, interval) in intervals {
                tasks.addTask { await loop(group: group, every: interval) }
            }
        }
    }

    private func loop(group: String, every interval: Duration) async {
        let clock = ContinuousClock()
        var next = clock.now + interval
        while !Task.isCancelled {
            do { try await clock.sleep(until: next) } catch { return }
            await agent.reconcile(group: group, logger: logger)
            next = max(next + interval, clock.now)
        }
    }
}

extension AgentCore {
    /// One reconcile pass of `name` (see `MoverReconciler`); returns when it is done.
    func reconcile(group name: String, logger: Logger) async {
        guard running, let epoch = holdingTerm(name), let group = config.groups.first(where: { $0.name == name }),
            let mover = movers[name], let queue = queues[name]
        else { return }
        let clock = self.clock
        let onEvent = self.onEvent
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.enqueue { [weak self] in
                defer { done.resume() }
                let holder: MoverHolder
                do {
                    holder = try await mover.holder(of: group)
                } catch {
                    logger.warning(
                        "group \(name): reconcile: cannot ask the provider who holds it: \(error)", metadata: ["group": "\(name)"])
                    return
                }
                // The read may be slow: act only if this node still holds the group in the same term.
                guard holder != .this, await self?.holdingTerm(name) == epoch else { return }
                (mover as? any MoverTelemetrySource)?.noteDrift()
                let named = if case .other(let other) = holder { other ?? "another server" } else { "nobody" }
                let drift = "group \(name): the provider routes it to \(named) while this node holds it (term \(epoch)); "
                    + "claiming it again"
                logger.warning("\(drift)", metadata: ["group": "\(name)"])
                let started = clock.now()
                var failure: String?
                do { try await mover.claim(group, epoch: epoch) } catch { failure = "\(error)" }
                onEvent(.mover(group: name, operation: "reconcile", epoch: epoch, took: clock.now() - started, error: failure))
            }
        }
    }

    /// The claim term of `group` while this node holds it; nil otherwise.
    func holdingTerm(_ group: String) -> UInt64? {
        guard running, let engine = machine.engines.first(where: { $0.group == group }), engine.role == .holder,
            engine.handover == nil  // handing over: the new holder is about to move it at the provider
        else {
            return nil
        }
        return engine.term
    }
}
