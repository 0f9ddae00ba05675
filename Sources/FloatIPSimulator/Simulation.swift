import FloatIPCore

/// Many nodes of the real core (`NodeMachine`: engine, codec with HMAC, replay window) on a
/// simulated network and clock, driven by a seeded plan of faults. After every event it checks
/// the invariants (`InvariantChecker`); the first violation stops the run.
public struct Simulation {
    public let plan: SimulationPlan
    var queue = EventQueue<Event>()
    var now = Instant.zero
    var rng: SplitMix64
    var nodes: [SimNode]
    var partition: Set<Int>? = nil
    /// `.isolateAll`: no datagram between any two nodes.
    var isolated = false
    var partitioned: Bool { partition != nil || isolated }
    var loss: Double
    var checker: InvariantChecker
    public internal(set) var timeline: [TimelineEntry] = []
    public internal(set) var stats = SimulationStats()
    let secret: [UInt8]
    var unheldSince: [Instant?]
    var everHeld: [Bool]
    /// etcd mode (`plan.etcd`): the simulated etcd and the links to it.
    var etcd: SimEtcdWorld
    var etcdMode: Bool { plan.etcd != nil }
    /// `bgp` mover (`plan.bgp`): the sessions with the router (its routes are `SimNode.routed`).
    var bgp: SimBGPWorld

    enum Event {
        case wake(node: Int, generation: Int)
        case deliver(to: Int, from: Int, datagram: [UInt8], heartbeat: Heartbeat, sentAt: Instant)
        case claimDone(node: Int, boot: Int, group: Int, epoch: UInt64, error: String?)
        case fault(SimulationPlan.Fault)
        case checkResult(node: Int, group: Int, generation: Int, step: Int)
        case etcd(SimEtcdEvent)
        case bgp(SimBGPEvent)
        case end

        /// The node whose agent handles the event (it waits while that agent is stalled).
        var node: Int? {
            switch self {
            case .wake(let node, _), .deliver(let node, _, _, _, _), .claimDone(let node, _, _, _, _),
                .checkResult(let node, _, _, _):
                node
            case .bgp(let event): event.node
            case .fault, .etcd, .end: nil
            }
        }
    }

    public init(plan: SimulationPlan) {
        self.plan = plan
        rng = SplitMix64(seed: plan.seed ^ 0x5EED_F1EA_7000_0001)
        nodes = plan.configs.enumerated().map { SimNode(index: $0.offset, config: $0.element) }
        loss = plan.loss
        checker = InvariantChecker(timers: plan.timers, groups: plan.groupNames.count)
        // etcd mode has its own bound for a group without a holder (e5 replaces b).
        checker.checksCoverage = plan.etcd == nil
        // bgp mover: the router's table is the truth, with its own allowances (docs/simulator.md).
        checker.router = plan.bgp.map { RouterAllowance(delay: $0.routerDelay, detection: $0.detection) }
        bgp = SimBGPWorld(settings: plan.bgp ?? SimulatedBGPSettings(), nodes: plan.configs.count, groups: plan.groupNames.count)
        etcd = SimEtcdWorld(settings: plan.etcd ?? SimulatedEtcdSettings(), groups: plan.groupNames.count, timers: plan.timers)
        secret = Array("simulated cluster secret \(plan.seed)".utf8)
        unheldSince = Array(repeating: nil, count: plan.groupNames.count)
        everHeld = Array(repeating: false, count: plan.groupNames.count)
    }

    /// Runs the plan to its end or to the first violation.
    public mutating func run() -> SimulationResult {
        if etcdMode { startLessor() }
        for index in nodes.indices { bootNode(index) }
        for (at, fault) in plan.faults { queue.schedule(.fault(fault), at: at) }
        queue.schedule(.end, at: .zero + plan.duration)
        while let (at, event) = queue.pop() {
            now = at
            stats.events += 1
            if case .end = event { break }
            handle(event)
            measureCoverage()
            if let violation = checker.check(nodes: nodes, partitioned: partitioned, now: now) ?? checkEtcd() {
                timeline.append(TimelineEntry(at: now, node: nil, kind: .violation, text: violation))
                stats.longestEtcdHole = etcd.checker.longestHole
                return SimulationResult(seed: plan.seed, violation: violation, stats: stats, timeline: timeline)
            }
        }
        stats.longestEtcdHole = etcd.checker.longestHole
        return SimulationResult(seed: plan.seed, violation: nil, stats: stats, timeline: timeline)
    }

    private mutating func handle(_ event: Event) {
        if let node = event.node, nodes[node].stalledSince != nil {
            nodes[node].waiting.append(event)
            return
        }
        switch event {
        case .wake(let index, let generation):
            guard nodes[index].wakeGeneration == generation, nodes[index].machine != nil else { return }
            perform(index) { $0.tick(now: $1) }
        case .deliver(let to, let from, let datagram, let heartbeat, let sentAt):
            guard nodes[to].isUp else { return }
            checker.delivered(heartbeat, from: from, to: to, sentAt: sentAt, nodes: nodes, now: now)
            stats.delivered += 1
            if let quiet = heartbeat.quietPeriod {
                // Heard now (a stalled receiver hears it at its resume): the quiet bound runs from here.
                nodes[from].quietUntil = max(nodes[from].quietUntil, now + plan.timers.deadBound(quietPeriod: quiet))
            }
            perform(to) { $0.receive(datagram, now: $1) }
        case .claimDone(let index, let boot, let group, let epoch, let error):
            claimDone(index, boot: boot, group: group, epoch: epoch, error: error)
        case .fault(let fault):
            apply(fault)
        case .checkResult(let node, let group, let generation, let step):
            checkResult(node: node, group: group, generation: generation, step: step)
        case .etcd(let event):
            handleEtcd(event)
        case .bgp(let event):
            handleBGP(event)
        case .end:
            break
        }
    }

    /// The nodes whose servers have the group's addresses now (`bgp` mover: whose announcements
    /// the router has).
    public func holders(of group: String) -> [String] {
        guard let g = plan.groupNames.firstIndex(of: group) else { return [] }
        return nodes.filter { inWorld($0, g) }.map(\.name)
    }

    /// Whether the world's truth has the node holding group `g`.
    func inWorld(_ node: SimNode, _ g: Int) -> Bool { bgpMode ? node.routed[g] != nil : node.isUp && node.holds[g] }

    /// Adds up the time each group spent with no holder after its first claim.
    private mutating func measureCoverage() {
        for g in unheldSince.indices {
            let held = nodes.contains { inWorld($0, g) }
            if held {
                everHeld[g] = true
                if let since = unheldSince[g] {
                    stats.unheld = stats.unheld + (now - since)
                    unheldSince[g] = nil
                }
            } else if everHeld[g] && unheldSince[g] == nil {
                unheldSince[g] = now
            }
        }
    }

    // MARK: Nodes

    mutating func bootNode(_ index: Int) {
        nodes[index].boots += 1
        nodes[index].bootedAt = now
        let bootID = UInt64(1_800_000_000_000 + now.nanoseconds / 1_000_000) + UInt64(nodes[index].boots)
        var config = nodes[index].config
        // etcd mode runs the engine as the agent does with `coordination:` (exclusive).
        if etcdMode { config.coordination = CoordinationConfig(endpoints: ["http://etcd.sim:2379"], ttl: settings.ttl) }
        var machine = NodeMachine(config: config, secret: secret, bootID: bootID, now: now)
        for (g, group) in nodes[index].config.groups.enumerated() {
            machine.setCondition(nodes[index].condition(g), group: group.name)
        }
        machine.setMaintenance(nodes[index].maintenance)
        nodes[index].machine = machine
        if etcdMode {
            nodes[index].fenced = nodes[index].fenced.map { _ in SimFencedMover() }
            queue.schedule(.etcd(.maintain(node: index, boot: nodes[index].boots)), at: now + settings.maintainEvery)
        }
        if bgpMode { bgpBooted(index) }
        perform(index) { $0.tick(now: $1) }
    }

    /// Runs one input on a node's machine and carries out what it returns.
    mutating func perform(_ index: Int, _ input: (inout NodeMachine, Instant) -> NodeOutput) {
        guard var machine = nodes[index].machine else { return }
        let output = input(&machine, now)
        nodes[index].machine = machine
        carryOut(output, from: index)
        scheduleWake(index)
    }

    /// Ticks a node now (after one of its inputs changed).
    mutating func performTick(_ index: Int) { perform(index) { $0.tick(now: $1) } }

    /// Carries out an output obtained outside `perform`, then reschedules the node.
    mutating func carry(_ output: NodeOutput, from index: Int) {
        carryOut(output, from: index)
        scheduleWake(index)
    }

    private mutating func scheduleWake(_ index: Int) {
        guard let machine = nodes[index].machine else { return }
        nodes[index].wakeGeneration += 1
        let wake = max(machine.nextWakeup(now: now), now + .microseconds(1))
        queue.schedule(.wake(node: index, generation: nodes[index].wakeGeneration), at: wake)
    }

    private mutating func carryOut(_ output: NodeOutput, from index: Int) {
        let name = nodes[index].name
        for transition in output.transitions {
            let text =
                transition.from == transition.to
                ? "\(transition.group): \(transition.to): \(transition.reason)"
                : "\(transition.group): \(transition.from) → \(transition.to): \(transition.reason)"
            timeline.append(
                TimelineEntry(at: now, node: name, kind: transition.from == transition.to ? .reason : .role, text: text))
        }
        if let datagram = output.datagram, let heartbeat = output.heartbeat { send(datagram, heartbeat, from: index) }
        for action in output.actions {
            guard let g = nodes[index].config.groups.firstIndex(where: { $0.name == action.group }) else { continue }
            switch action.intent {
            case .claim(let epoch):
                checker.claimed(node: nodes[index], group: g, now: now)
                stats.claims += 1
                if etcdMode {
                    enqueueMoverOp(index, g, .claim(epoch: epoch))
                    continue
                }
                nodes[index].pendingClaim[g] = epoch
                let error = nodes[index].failNextClaim ? "simulated mover error" : nil
                nodes[index].failNextClaim = false
                let latency = Duration.nanoseconds(Int64.random(in: plan.moverLatency, using: &rng))
                queue.schedule(
                    .claimDone(node: index, boot: nodes[index].boots, group: g, epoch: epoch, error: error),
                    at: now + latency)
            case .release(let epoch):
                if etcdMode {
                    enqueueMoverOp(index, g, .release(epoch: epoch))
                    continue
                }
                nodes[index].pendingClaim[g] = nil
                if nodes[index].holds[g] {
                    // bgp: withdrawn first, then the address leaves lo (both now).
                    if bgpMode { bgpWithdraw(index, g) }
                    nodes[index].holds[g] = false
                    timeline.append(TimelineEntry(at: now, node: name, kind: .mover, text: "\(action.group): addresses removed"))
                }
            case .announce, .notify:
                break
            }
        }
    }

    private mutating func claimDone(_ index: Int, boot: Int, group g: Int, epoch: UInt64, error: String?) {
        guard nodes[index].isUp, nodes[index].boots == boot, nodes[index].pendingClaim[g] == epoch else { return }
        nodes[index].pendingClaim[g] = nil
        let groupName = nodes[index].config.groups[g].name
        // bgp: a claim no router hears fails (the mover waits for a session, then gives up; here at once).
        let error = error ?? (bgpMode && bgp.speaker[index] == nil ? "no BGP session with the router" : nil)
        if error != nil {
            checker.disturbed(at: now)
            let retry = max(Duration.seconds(1), plan.timers.deadInterval)
            nodes[index].moverFaultUntil[g] = now + retry
            timeline.append(TimelineEntry(at: now, node: nodes[index].name, kind: .mover, text: "\(groupName): claim failed"))
        } else {
            nodes[index].holds[g] = true
            nodes[index].holdStart[g] = now
            if bgpMode { bgpAnnounce(index, g) }
            timeline.append(
                TimelineEntry(at: now, node: nodes[index].name, kind: .mover, text: "\(groupName): addresses in place (term \(epoch))"))
        }
        perform(index) { $0.claimFinished(group: groupName, epoch: epoch, error: error, now: $1) }
    }

    // MARK: Network

    private mutating func send(_ datagram: [UInt8], _ heartbeat: Heartbeat, from index: Int) {
        stats.sent += 1
        for peer in nodes.indices where peer != index {
            if isolated { continue }
            if let side = partition, side.contains(index) != side.contains(peer) { continue }
            let copies = rng.chance(plan.duplicateChance) ? 2 : 1
            for _ in 0..<copies {
                if rng.chance(loss) {
                    stats.lost += 1
                    continue
                }
                let delay = plan.baseDelay + rng.duration(.zero, plan.jitter)
                queue.schedule(
                    .deliver(to: peer, from: index, datagram: datagram, heartbeat: heartbeat, sentAt: now), at: now + delay)
            }
        }
    }
}

/// Counts from one run.
public struct SimulationStats: Sendable {
    public var events = 0
    public var sent = 0
    public var delivered = 0
    public var lost = 0
    public var claims = 0
    public var faults = 0
    /// Time groups spent with no holder after their first claim, added over groups.
    public var unheld = Duration.zero
    /// etcd mode: the longest a group was unheld while the liveness invariant (e5) applied,
    /// counted from its reference (the bound it must stay under is `SimulatedEtcdSettings.livenessBound`).
    public var longestEtcdHole = Duration.zero
}

/// How a run ended.
public struct SimulationResult: Sendable {
    public var seed: UInt64
    /// The first invariant violation, or nil if the run kept every invariant.
    public var violation: String?
    public var stats: SimulationStats
    public var timeline: [TimelineEntry]

    public var passed: Bool { violation == nil }
}
