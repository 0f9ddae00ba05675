import FloatIPCore

/// The running node: the pure `NodeMachine` with the world plugged into its seams.
///
/// Every input (a datagram, a timer, a mover's answer, a health change, an operator command) is
/// one actor call that feeds the machine with the clock's `now` and carries out what it returns:
/// heartbeats to every peer, mover operations (queued per group, off the actor), events.
/// The actor serialises the inputs, so the machine sees one at a time.
public actor AgentCore {
    public let config: ClusterConfig
    let clock: any AgentClock
    let transport: any PacketTransport
    let movers: [String: any Mover]
    let onEvent: @Sendable (AgentEvent) -> Void
    var machine: NodeMachine
    var queues: [String: MoverQueue] = [:]
    /// The timer: one long-lived task that sleeps until `timerSleepsUntil`, then ticks (or sleeps
    /// on, when the machine's next deadline `timerDeadline` moved later meanwhile). Restarted only
    /// when the deadline moves earlier than its sleep; `timerGeneration` tells a stale one to end.
    var timer: Task<Void, Never>?
    var timerDeadline: Instant?
    var timerSleepsUntil: Instant?
    var timerGeneration: UInt64 = 0
    var receiver: Task<Void, Never>?
    var running = false
    /// The last role changes, for status (bounded by `transitionMemory`).
    var recentTransitions: [Transition] = []
    /// How many transitions status remembers.
    public static let transitionMemory = 20
    /// The checks' current states, for status (set by whoever runs the checks).
    var checkStates: @Sendable () -> [CheckState] = { [] }
    /// Each `track:` target's last answer, for status (`setTrackTargets`).
    var trackTargets: @Sendable () -> [AgentStatus.TrackTarget] = { [] }
    /// Called at the end of every pass of the decision loop (see `observeLoop`).
    var loopObserver: (@Sendable (isolated AgentCore) -> Void)?
    /// Per group: the checks' last condition, and a fault the coordination backend reports (etcd
    /// lease lost), laid over it (AgentCore+Coordination.swift).
    var checkConditions: [String: LocalCondition] = [:]
    var coordinationFaults: [String: String] = [:]

    /// An agent for `config`; `movers` maps each group's name to its mover.
    public init(
        config: ClusterConfig, secret: [UInt8], clock: any AgentClock, transport: any PacketTransport,
        movers: [String: any Mover], onEvent: @escaping @Sendable (AgentEvent) -> Void = { _ in }
    ) {
        self.config = config
        self.clock = clock
        self.transport = transport
        self.movers = movers
        self.onEvent = onEvent
        machine = NodeMachine(config: config, secret: secret, bootID: clock.wallMilliseconds(), now: clock.now())
        for group in config.groups { queues[group.name] = MoverQueue() }
    }

    /// Starts listening and ticking; returns at once (the work runs in the agent's own tasks).
    public func start() async {
        guard !running else { return }
        running = true
        let incoming = transport.incoming()
        receiver = Task { [weak self] in
            for await (datagram, _) in incoming {
                guard let self else { return }
                await self.receive(datagram)
            }
        }
        await tick()
    }

    /// Stops listening and ticking, and lets queued mover operations finish. Held addresses are
    /// not released here (a clean stop hands groups over first; see `AgentService`).
    public func stop() async {
        running = false
        receiver?.cancel()
        timer?.cancel()
        timer = nil
        timerGeneration &+= 1
        for queue in queues.values { await queue.finish() }
    }

    // MARK: Inputs

    /// The timer fired (or start): evaluate and send what is due.
    func tick() async {
        guard running else { return }
        let output = machine.tick(now: clock.now())
        await perform(output)
    }

    /// A datagram from the network.
    func receive(_ datagram: [UInt8]) async {
        guard running else { return }
        let output = machine.receive(datagram, now: clock.now())
        await perform(output)
    }

    /// A mover finished a claim.
    func claimFinished(group: String, epoch: UInt64, error: String?) async {
        guard running else { return }
        let output = machine.claimFinished(group: group, epoch: epoch, error: error, now: clock.now())
        await perform(output)
    }

    /// This node's health for a group changed (from the checks).
    public func setCondition(_ condition: LocalCondition, group: String) async {
        checkConditions[group] = condition
        machine.setCondition(withCoordinationFault(condition, group: group), group: group)
        await tick()
    }

    /// Operator maintenance for the whole node (`group` nil) or one group.
    public func setMaintenance(_ on: Bool, group: String? = nil) async {
        machine.setMaintenance(on, group: group)
        await tick()
    }

    /// Starts an operator's switchover of `group` (make-before-break); returns the target.
    public func switchover(group: String, to target: String?) async throws(SwitchoverFailure) -> String {
        let (chosen, output) = try machine.switchover(group: group, to: target, now: clock.now())
        await perform(output)
        return chosen
    }

    // MARK: Views

    /// The role and reason of every group, in config order.
    public func roles() -> [(group: String, role: Role, reason: String)] {
        machine.engines.map { ($0.group, $0.role, $0.reason) }
    }

    /// Datagrams sent, received and rejected by reason.
    public func counters() -> NodeCounters { machine.counters }

    // MARK: Carrying out

    private func perform(_ output: NodeOutput) async {
        for transition in output.transitions {
            onEvent(.transition(transition))
            if transition.from != transition.to {
                recentTransitions.append(transition)
                if recentTransitions.count > Self.transitionMemory { recentTransitions.removeFirst() }
            }
        }
        if let datagram = output.datagram {
            for peer in config.peers { await transport.send(datagram, to: peer.name) }
        }
        for action in output.actions { dispatch(action) }
        rescheduleTimer()
        loopObserver?(self)
    }

    private func dispatch(_ action: GroupAction) {
        guard let group = config.groups.first(where: { $0.name == action.group }),
            let mover = movers[action.group], let queue = queues[action.group]
        else { return }
        let clock = self.clock
        let onEvent = self.onEvent
        switch action.intent {
        case .claim(let epoch):
            queue.enqueue { [weak self] in
                let started = clock.now()
                var failure: String?
                do { try await mover.claim(group, epoch: epoch) } catch { failure = "\(error)" }
                onEvent(.mover(group: group.name, operation: "claim", epoch: epoch, took: clock.now() - started, error: failure))
                await self?.claimFinished(group: group.name, epoch: epoch, error: failure)
            }
        case .release(let epoch):
            queue.enqueue {
                let started = clock.now()
                var failure: String?
                do { try await mover.release(group, epoch: epoch) } catch { failure = "\(error)" }
                onEvent(.mover(group: group.name, operation: "release", epoch: epoch, took: clock.now() - started, error: failure))
            }
        case .announce:
            queue.enqueue {
                let started = clock.now()
                var failure: String?
                do { try await mover.announce(group) } catch { failure = "\(error)" }
                onEvent(.mover(group: group.name, operation: "announce", epoch: 0, took: clock.now() - started, error: failure))
            }
        case .notify:
            break  // transitions are reported above; hooks come with the agent's notifier
        }
    }

    /// Keeps the timer due at the machine's next deadline (absolute). A deadline that moved later
    /// (a heartbeat heard moves the dead deadline) leaves the timer asleep: it wakes at the earlier
    /// time and sleeps on. Only one that moved earlier restarts it.
    private func rescheduleTimer() {
        guard running else { return }
        let deadline = machine.nextWakeup(now: clock.now())
        timerDeadline = deadline
        if timer != nil, let sleeping = timerSleepsUntil, sleeping <= deadline { return }
        timer?.cancel()
        timerGeneration &+= 1
        timerSleepsUntil = deadline
        let clock = self.clock
        let generation = timerGeneration
        timer = Task { [weak self] in
            var until = deadline
            while true {
                do { try await clock.sleep(until: until) } catch { return }
                guard let next = await self?.timerWoke(generation) else { return }
                until = next
            }
        }
    }

    /// The timer woke: ticks if the deadline has come (the tick schedules the next one), and says
    /// until when to sleep next; nil ends a timer that was replaced or stopped.
    private func timerWoke(_ generation: UInt64) async -> Instant? {
        guard running, generation == timerGeneration else { return nil }
        if let deadline = timerDeadline, deadline > clock.now() {
            timerSleepsUntil = deadline
            return deadline
        }
        await tick()
        // The tick (or an input while it sent) set the next deadline, or replaced this timer.
        guard running, generation == timerGeneration, let deadline = timerDeadline else { return nil }
        timerSleepsUntil = deadline
        return deadline
    }
}
