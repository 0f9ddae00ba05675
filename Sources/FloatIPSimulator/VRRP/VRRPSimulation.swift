import FloatIPCore

/// One VRRP virtual router on a simulated network and clock: floatip's `VRRPRouterMachine` and the
/// keepalived model (`KeepalivedModel`), driven as `VRRPSpeaker` drives the machine, with a seeded
/// plan of faults. After every event it checks the VRRP invariants (`VRRPInvariantChecker`); the
/// first violation stops the run.
public struct VRRPSimulation {
    public let plan: VRRPSimulationPlan
    var queue = EventQueue<Event>()
    var now = Instant.zero
    var rng: SplitMix64
    var nodes: [VRRPSimNode]
    var partition: Set<Int>? = nil
    var loss: Double
    /// When the last datagram on each link (from, to) arrives: a link keeps its order.
    var lastArrival: [[Instant]]
    var checker: VRRPInvariantChecker
    public internal(set) var timeline: [TimelineEntry] = []
    public internal(set) var stats = SimulationStats()

    enum Event {
        case wake(node: Int, generation: Int)
        case deliver(to: Int, from: Int, advert: VRRPAdvertisement)
        case claimDone(node: Int, boot: Int, epoch: UInt64)
        case fault(VRRPFault)
        case end

        /// The node whose process handles the event (it waits while that process is stalled).
        var node: Int? {
            switch self {
            case .wake(let node, _), .deliver(let node, _, _), .claimDone(let node, _, _): node
            case .fault, .end: nil
            }
        }
    }

    public init(plan: VRRPSimulationPlan) {
        self.plan = plan
        rng = SplitMix64(seed: plan.seed ^ 0x0112_F1EA_7000_0007)
        nodes = plan.nodeNames.indices.map { index in
            VRRPSimNode(
                name: plan.nodeNames[index], kind: plan.kinds[index], config: plan.configs[index],
                configuredMaster: plan.configuredMaster[index])
        }
        loss = plan.loss
        lastArrival = Array(repeating: Array(repeating: .zero, count: plan.nodeNames.count), count: plan.nodeNames.count)
        checker = VRRPInvariantChecker(plan: plan)
    }

    /// Runs the plan to its end or to the first violation.
    public mutating func run() -> SimulationResult {
        for index in nodes.indices { boot(index) }
        for (at, fault) in plan.faults { queue.schedule(.fault(fault), at: at) }
        queue.schedule(.end, at: .zero + plan.duration)
        while let (at, event) = queue.pop() {
            now = at
            stats.events += 1
            if case .end = event { break }
            handle(event)
            if let violation = checker.check(nodes: nodes, quiet: quiet, now: now) {
                timeline.append(TimelineEntry(at: now, node: nil, kind: .violation, text: violation))
                return SimulationResult(seed: plan.seed, violation: violation, stats: stats, timeline: timeline)
            }
        }
        return SimulationResult(seed: plan.seed, violation: nil, stats: stats, timeline: timeline)
    }

    /// Connected, loss-free, no process stalled: when the invariants that need the adverts to flow apply.
    var quiet: Bool { partition == nil && loss == 0 && !nodes.contains { $0.stalledSince != nil } }

    /// The nodes whose servers have the virtual address now.
    public var holders: [String] { nodes.filter { $0.isUp && $0.holds }.map(\.name) }

    private mutating func handle(_ event: Event) {
        if let node = event.node, nodes[node].stalledSince != nil {
            nodes[node].waiting.append(event)
            return
        }
        switch event {
        case .wake(let index, let generation):
            guard nodes[index].wakeGeneration == generation else { return }
            drive(index)
        case .deliver(let to, let from, let advert):
            guard nodes[to].isUp else { return }
            stats.delivered += 1
            let sender = nodes[from].config.ownAddress
            drive(to) { router, now, checker in
                let before = (master: router.isMaster, stopped: router.isStopped, priority: router.priority)
                let actions = router.receive(advert, from: sender, now: now)
                checker.received(advert, from: sender, by: router, before: before, node: to, now: now)
                return actions
            }
        case .claimDone(let index, let boot, let epoch):
            guard nodes[index].isUp, nodes[index].boots == boot, nodes[index].pendingClaim == epoch else { return }
            nodes[index].pendingClaim = nil
            nodes[index].holds = true
            nodes[index].holdStart = now
            timeline.append(TimelineEntry(at: now, node: nodes[index].name, kind: .mover, text: "address in place"))
        case .fault(let fault):
            apply(fault)
        case .end:
            break
        }
    }

    /// A new process on the node: a fresh router, started if it should run.
    mutating func boot(_ index: Int) {
        nodes[index].boots += 1
        let node = nodes[index]
        nodes[index].router = SimVRRPRouter(
            kind: node.kind, config: node.config, configuredMaster: node.configuredMaster, defect: plan.keepalivedDefect)
        drive(index)
    }

    /// One turn of the speaker's loop: the wanted state (the checks' weight; suspend or resume), then
    /// the input, then the timers; carries out what the router asks and sets its next wake.
    mutating func drive(
        _ index: Int,
        _ input: (inout SimVRRPRouter, Instant, inout VRRPInvariantChecker) -> [VRRPRouterMachine.Action] = { _, _, _ in [] }
    ) {
        guard var router = nodes[index].router else { return }
        let stateBefore = router.stateName
        var actions: [VRRPRouterMachine.Action] = []
        router.setWeight(nodes[index].weight)
        if !nodes[index].running {
            if router.isMaster { checker.masterLeft(at: now) }
            actions += router.stop()
        } else if router.isStopped {
            actions += router.start(now: now)
            checker.started(node: index)
        }
        actions += input(&router, now, &checker)
        let masterBeforeTick = router.isMaster
        actions += router.tick(now: now)
        if !masterBeforeTick && router.isMaster { checker.tookOver(node: index, now: now) }
        nodes[index].router = router
        if router.stateName != stateBefore {
            timeline.append(
                TimelineEntry(
                    at: now, node: nodes[index].name, kind: .role,
                    text: "\(stateBefore) → \(router.stateName) (priority \(router.priority))"))
        }
        carryOut(actions, from: index)
        nodes[index].eligibleSince = nodes[index].eligible ? nodes[index].eligibleSince ?? now : nil
        nodes[index].wakeGeneration += 1
        if let deadline = router.deadline {
            queue.schedule(.wake(node: index, generation: nodes[index].wakeGeneration), at: max(deadline, now + .microseconds(1)))
        }
    }

    mutating func carryOut(_ actions: [VRRPRouterMachine.Action], from index: Int) {
        for action in actions {
            switch action {
            case .send(let advert):
                send(advert, from: index)
            case .claim:
                stats.claims += 1
                nodes[index].epoch += 1
                nodes[index].pendingClaim = nodes[index].epoch
                let latency = Duration.nanoseconds(Int64.random(in: plan.moverLatency, using: &rng))
                queue.schedule(.claimDone(node: index, boot: nodes[index].boots, epoch: nodes[index].epoch), at: now + latency)
            case .release:
                nodes[index].pendingClaim = nil
                if nodes[index].holds {
                    nodes[index].holds = false
                    timeline.append(TimelineEntry(at: now, node: nodes[index].name, kind: .mover, text: "address removed"))
                }
            }
        }
    }

    private mutating func send(_ advert: VRRPAdvertisement, from index: Int) {
        stats.sent += 1
        for peer in nodes.indices where peer != index {
            if let side = partition, side.contains(index) != side.contains(peer) { continue }
            let copies = rng.chance(plan.duplicateChance) ? 2 : 1
            for _ in 0..<copies {
                if rng.chance(loss) {
                    stats.lost += 1
                    continue
                }
                // One segment: the delay varies, the order on a link does not (an advertisement that
                // overtook a priority 0 would restart the backups' master-down timers).
                let arrival = max(now + plan.baseDelay + rng.duration(.zero, plan.jitter), lastArrival[index][peer])
                lastArrival[index][peer] = arrival
                queue.schedule(.deliver(to: peer, from: index, advert: advert), at: arrival)
            }
        }
    }
}
