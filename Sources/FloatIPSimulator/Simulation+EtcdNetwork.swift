import FloatIPCore

/// Events of etcd mode.
enum SimEtcdEvent {
    /// A request reaches etcd (if the link and etcd are up).
    case arrive(id: Int, node: Int, request: SimulatedEtcd.Request)
    /// Its answer reaches the node (if the link is up).
    case answer(id: Int, node: Int, answer: SimulatedEtcd.Answer)
    /// The request's time limit passed.
    case timeout(id: Int)
    case lessorTick
    /// A watch event reaches a holder.
    case watch(node: Int, group: Int, serial: Int, change: SimulatedEtcd.Change)
    /// The agent's mover queue starts its next operation.
    case runNext(node: Int, boot: Int, group: Int)
    case innerClaimDone(node: Int, boot: Int, group: Int, op: Int, error: String?)
    case renewDue(node: Int, group: Int, serial: Int)
    case deadline(node: Int, group: Int, serial: Int)
    case faultClear(node: Int, group: Int, generation: Int)
    case addressExpiry(node: Int, group: Int, generation: Int)
    /// The local mover's address keeper renews lifetimes.
    case maintain(node: Int, boot: Int)
    /// A campaign's wait (a patient one polling the held key) is over.
    case campaignWake(node: Int, boot: Int, group: Int, op: Int)
}

// The links between the nodes and etcd, and the server's own clock (the lessor).
extension Simulation {
    mutating func handleEtcd(_ event: SimEtcdEvent) {
        switch event {
        case .arrive(let id, let node, let request): etcdArrive(id: id, node: node, request: request)
        case .answer(let id, let node, let answer):
            // Cut while the answer travelled: the node never gets it; its time limit ends the call.
            guard !etcd.cut.contains(node), let call = etcd.pending.removeValue(forKey: id) else { return }
            resume(call, answer)
        case .timeout(let id):
            guard let call = etcd.pending.removeValue(forKey: id) else { return }
            resume(call, .failed("timed out"))
        case .lessorTick:
            let changes = etcd.server.lessorTick(at: now)
            for change in changes {
                timeline.append(
                    TimelineEntry(
                        at: now, node: nil, kind: .mover,
                        text: "etcd: lease expired, \(change.key) deleted (revision \(change.revision))"))
            }
            notifyWatchers(changes)
            queue.schedule(.etcd(.lessorTick), at: now + SimulatedEtcdSettings.lessorInterval)
        case .watch(let node, let group, let serial, let change):
            watchEvent(node, group, serial: serial, change: change)
        case .runNext(let node, let boot, let group):
            guard nodes[node].isUp, nodes[node].boots == boot else { return }
            runNextOp(node, group)
        case .innerClaimDone(let node, let boot, let group, let op, let error):
            guard nodes[node].isUp, nodes[node].boots == boot else { return }
            innerClaimDone(node, group, op: op, error: error)
        case .renewDue(let node, let group, let serial): renewDue(node, group, serial: serial)
        case .deadline(let node, let group, let serial): deadlinePassed(node, group, serial: serial)
        case .faultClear(let node, let group, let generation): faultCleared(node, group, generation: generation)
        case .addressExpiry(let node, let group, let generation): addressExpired(node, group, generation: generation)
        case .campaignWake(let node, let boot, let group, let op):
            guard nodes[node].isUp, nodes[node].boots == boot else { return }
            campaignWoke(node, group, op: op)
        case .maintain(let node, let boot):
            guard nodes[node].isUp, nodes[node].boots == boot else { return }
            for g in nodes[node].fenced.indices { maintainAddresses(node, g) }
            queue.schedule(.etcd(.maintain(node: node, boot: boot)), at: now + settings.maintainEvery)
        }
    }

    var settings: SimulatedEtcdSettings { etcd.settings }

    /// Sends a request from a node; `then` continues with its answer, or with a failure when
    /// `limit` passes first (the client's per-request time limit). The client gives one member at
    /// most its `requestTimeout` (`ttl / 3`, as the agent sets it), and the simulated etcd is one member.
    mutating func etcdSend(
        _ request: ElectionRequest, from node: Int, group: Int, limit: Duration, then: SimEtcdContinuation
    ) {
        let limit = min(limit, settings.renewInterval)
        let id = etcd.nextID()
        etcd.pending[id] = SimEtcdCall(node: node, boot: nodes[node].boots, group: group, then: then)
        if !etcd.cut.contains(node) {
            queue.schedule(.etcd(.arrive(id: id, node: node, request: request)), at: now + oneWay())
        }
        queue.schedule(.etcd(.timeout(id: id)), at: now + limit)
    }

    /// Revokes a lease without waiting (best effort).
    mutating func revokeInBackground(_ lease: Int64, from node: Int, group: Int) {
        etcdSend(.revoke(lease: lease), from: node, group: group, limit: settings.renewInterval, then: .none)
    }

    private mutating func oneWay() -> Duration {
        .nanoseconds(Int64.random(in: settings.latency, using: &rng)) + etcd.slow
    }

    /// A request reaches the server: applied (also when its sender has crashed or given up
    /// meanwhile: the server cannot know), answered if the link still stands.
    private mutating func etcdArrive(id: Int, node: Int, request: SimulatedEtcd.Request) {
        guard etcd.server.up, !etcd.cut.contains(node) else { return }
        if case .keepAlive(let lease) = request, etcd.server.awaitsRevoke(lease, at: now) {
            // etcd holds the renewal of an expired lease until the lessor has revoked it.
            queue.schedule(
                .etcd(.arrive(id: id, node: node, request: request)), at: nextLessorTick() + .microseconds(1))
            return
        }
        let (answer, changes) = etcd.server.apply(request, at: now)
        for change in changes {
            let what = change.now.map { "created by \($0.value), lease \(String($0.lease, radix: 16))" } ?? "deleted"
            timeline.append(
                TimelineEntry(
                    at: now, node: nodes[node].name, kind: .mover,
                    text: "etcd: \(change.key) \(what) (revision \(change.revision))"))
        }
        notifyWatchers(changes)
        queue.schedule(.etcd(.answer(id: id, node: node, answer: answer)), at: now + oneWay())
    }

    private func nextLessorTick() -> Instant {
        let interval = SimulatedEtcdSettings.lessorInterval.nanoseconds
        let since = now.nanoseconds - settings.lessorPhase.nanoseconds
        let ticks = since < 0 ? 0 : since / interval + 1
        return .zero + settings.lessorPhase + .nanoseconds(ticks * interval)
    }

    /// The first lessor tick (the lessor runs from the start).
    mutating func startLessor() {
        queue.schedule(.etcd(.lessorTick), at: nextLessorTick())
    }

    /// The watch streams of the holders of a changed key carry the change to them (a stream over a
    /// cut link stays silent: the poll after each renewal covers that).
    private mutating func notifyWatchers(_ changes: [SimulatedEtcd.Change]) {
        for change in changes {
            guard let g = (0..<plan.groupNames.count).first(where: { SimEtcdWorld.key($0) == change.key }) else {
                continue
            }
            for node in nodes.indices where nodes[node].isUp && !etcd.cut.contains(node) {
                guard let tenure = nodes[node].fenced[g].tenure, change.revision > tenure.epoch else { continue }
                queue.schedule(
                    .etcd(.watch(node: node, group: g, serial: tenure.serial, change: change)), at: now + oneWay())
            }
        }
    }

    /// Applies an etcd fault; false when the fault is not one of etcd's.
    mutating func applyEtcdFault(_ fault: SimulationPlan.Fault) -> Bool {
        switch fault {
        case .etcdCut(let node): etcd.cut.insert(node)
        case .etcdRestore(let node): etcd.cut.remove(node)
        case .etcdDown: etcd.server.up = false
        case .etcdUp:
            etcd.server.promote(at: now)
            // The leases it refreshed run a promote extension longer: count the fault from then.
            checker.disturbed(at: now + settings.promoteExtension)
        case .etcdSlow(let extra): etcd.slow = extra
        default: return false
        }
        return true
    }
}

extension Simulation {
    /// The etcd invariants (etcd mode only).
    mutating func checkEtcd() -> String? {
        guard etcdMode else { return nil }
        return etcd.checker.check(
            nodes: nodes, server: etcd.server, quiet: !partitioned && etcd.healthy,
            lastDisturbance: checker.lastDisturbance, listen: plan.timers.startupListen, now: now)
    }
}
