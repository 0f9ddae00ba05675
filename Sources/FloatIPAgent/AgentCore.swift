import FloatIPCore
import FloatIPLinux

/// The running node: the pure `NodeMachine` with the world plugged into its seams.
///
/// Every input (a datagram, a timer, a mover's answer, a health change, an operator command) is
/// one actor call that feeds the machine with the clock's `now` and carries out what it returns:
/// heartbeats to every peer, mover operations (queued per group, off the actor), events.
/// The actor serialises the inputs, so the machine sees one at a time.
///
/// The actor runs on a thread of its own (`PollLoop`), which also owns the timer (a timerfd) and
/// reads the peer socket (`PeerTransport`): a heartbeat due or a datagram arriving is one
/// wake-up of one thread, handled and answered there, as keepalived does it. Calls from other
/// tasks (checks, the API, movers' answers) hop onto that thread like onto any actor.
public actor AgentCore {
    public internal(set) var config: ClusterConfig
    let clock: any AgentClock
    let transport: any PeerTransport
    var movers: [String: any Mover]
    let onEvent: @Sendable (AgentEvent) -> Void
    /// Where peers' new boot ids are remembered across this agent's restarts.
    let boots: BootRecord?
    /// The stale boot id last reported per peer (`AgentEvent.staleBoot`, once per peer and boot).
    var reportedStaleBoots: [String: UInt64] = [:]
    var machine: NodeMachine
    var queues: [String: MoverQueue] = [:]
    /// The thread the actor, its timer and the peer socket run on.
    let loop: PollLoop
    /// The machine's next deadline, and when the loop's timer is armed to fire (nil: disarmed).
    var timerDeadline: Instant?
    var timerArmedFor: Instant?
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
    /// The `protocol: vrrp` groups, by name (AgentCore+VRRP.swift); the machine runs the others.
    var vrrpGroups: [String: VRRPGroupState] = [:]
    /// The `mode: anycast` groups, by name (AgentCore+Anycast.swift): no election, every healthy node announces.
    var anycastGroups: [String: AnycastGroupState] = [:]

    /// An agent for `config`; `movers` maps each group's name to its mover. Starts the agent's
    /// thread (named "floatip-agent"); throws only when the system refuses a pipe or a timerfd.
    /// `boots`: this run's boot id and the peers' remembered ones (nil: the wall clock, nothing remembered).
    public init(
        config: ClusterConfig, secret: [UInt8], clock: any AgentClock, transport: any PeerTransport,
        movers: [String: any Mover], boots: BootRecord? = nil,
        onEvent: @escaping @Sendable (AgentEvent) -> Void = { _ in }
    ) throws(SystemError) {
        self.config = config
        self.clock = clock
        self.transport = transport
        self.movers = movers
        self.onEvent = onEvent
        loop = try PollLoop(name: "floatip-agent")
        self.boots = boots
        machine = NodeMachine(
            config: config.floatipProtocolOnly, secret: secret, bootID: boots?.bootID ?? clock.wallMilliseconds(), now: clock.now(),
            peerBoots: boots?.peerBoots ?? [:])
        for group in config.groups { queues[group.name] = MoverQueue() }
        for group in config.groups where group.isAnycast { anycastGroups[group.name] = AnycastGroupState() }
    }

    deinit { loop.shutdown() }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    /// Starts listening and ticking; returns at once (the work runs on the agent's thread).
    public func start() {
        guard !running else { return }
        running = true
        loop.setTimerHandler { [weak self] in self?.assumeIsolated { $0.timerFired() } }
        let transport = self.transport
        loop.watch(transport.descriptor) { [weak self] in
            guard let self else { return }
            self.assumeIsolated { agent in transport.readAvailable { datagram, _ in agent.receive(datagram) } }
        }
        tick()
    }

    /// Stops listening and ticking, and lets queued mover operations finish. Held addresses are
    /// not released here (a clean stop hands groups over first; see `AgentService`).
    public func stop() async {
        stopVRRP()
        stopAnycast()
        running = false
        loop.watch(nil)
        loop.disarm()
        timerArmedFor = nil
        for queue in queues.values { await queue.finish() }
    }

    // MARK: Inputs

    /// The timer fired (or start): evaluate and send what is due.
    func tick() {
        guard running else { return }
        let output = machine.tick(now: clock.now())
        perform(output)
    }

    /// A datagram from the network.
    func receive(_ datagram: [UInt8]) {
        guard running else { return }
        let output = machine.receive(datagram, now: clock.now())
        perform(output)
    }

    /// A mover finished a claim.
    func claimFinished(group: String, epoch: UInt64, error: String?) {
        guard running else { return }
        let output = machine.claimFinished(group: group, epoch: epoch, error: error, now: clock.now())
        perform(output)
    }

    /// This node's health for a group changed (from the checks).
    public func setCondition(_ condition: LocalCondition, group: String) {
        checkConditions[group] = condition
        if isVRRP(group) { return applyVRRP(group: group) }
        if isAnycast(group) { return applyAnycast(group: group) }
        machine.setCondition(withCoordinationFault(condition, group: group), group: group)
        tick()
    }

    /// Operator maintenance for the whole node (`group` nil) or one group.
    public func setMaintenance(_ on: Bool, group: String? = nil) {
        machine.setMaintenance(on, group: group)
        for name in vrrpGroups.keys where group == nil || group == name { applyVRRP(group: name) }
        for name in anycastGroups.keys where group == nil || group == name { applyAnycast(group: name) }
        tick()
    }

    /// Starts an operator's switchover of `group` (make-before-break); returns the target.
    public func switchover(group: String, to target: String?) throws(SwitchoverFailure) -> String {
        if isVRRP(group) { throw .vrrp(group) }
        if isAnycast(group) { throw .anycast(group) }
        let (chosen, output) = try machine.switchover(group: group, to: target, now: clock.now())
        perform(output)
        return chosen
    }

    // MARK: Views

    /// The role and reason of every group, in config order.
    public func roles() -> [(group: String, role: Role, reason: String)] {
        config.groups.compactMap { group in
            if let vrrp = vrrpGroups[group.name] { return (group.name, vrrp.role, vrrp.reason) }
            if let anycast = anycastGroups[group.name] { return (group.name, anycast.role, anycast.reason) }
            return machine.engine(group.name).map { ($0.group, $0.role, $0.reason) }
        }
    }

    /// Datagrams sent, received and rejected by reason.
    public func counters() -> NodeCounters { machine.counters }

    // MARK: Carrying out

    func perform(_ output: NodeOutput) {
        if let stall = output.stall { onEvent(.stalled(stall)) }
        for transition in output.transitions { report(transition) }
        if let datagram = output.datagram {
            for peer in config.peers { transport.send(datagram, to: peer.name) }
            // During a secret rotation, a copy signed with the previous secret for peers without the new one.
            if let copy = output.previousDatagram {
                for peer in config.peers { transport.send(copy, to: peer.name) }
            }
        }
        if let end = output.secretRotation { onEvent(.secretRotated(end)) }
        for action in output.actions { dispatch(action) }
        if !output.peerBoots.isEmpty { boots?.remember(output.peerBoots) }
        if let refused = output.refusedBoot, reportedStaleBoots[refused.peer] != refused.bootID {
            reportedStaleBoots[refused.peer] = refused.bootID
            onEvent(.staleBoot(peer: refused.peer, bootID: refused.bootID, known: refused.known))
        }
        rescheduleTimer()
        loopObserver?(self)
    }

    /// A group's role or reason changed: the event, and status's memory of the last changes.
    func report(_ transition: Transition) {
        onEvent(.transition(transition))
        if transition.from != transition.to {
            recentTransitions.append(transition)
            if recentTransitions.count > Self.transitionMemory { recentTransitions.removeFirst() }
        }
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
            enqueueMove(on: queue, group: group.name, "release", epoch: epoch) { try await mover.release(group, epoch: epoch) }
        case .announce:
            enqueueMove(on: queue, group: group.name, "announce", epoch: 0) { try await mover.announce(group) }
        case .notify:
            break  // transitions are reported above; hooks come with the agent's notifier
        }
    }

    /// Keeps the loop's timer due at the machine's next deadline (absolute). Re-arming is one
    /// `timerfd_settime`, far cheaper than a wake-up for nothing, so a deadline that moved either
    /// way re-arms it; an unchanged one costs nothing.
    private func rescheduleTimer() {
        guard running else { return }
        let deadline = machine.nextWakeup(now: clock.now())
        timerDeadline = deadline
        if timerArmedFor == deadline { return }
        arm(deadline)
    }

    private func arm(_ deadline: Instant) {
        timerArmedFor = deadline
        loop.arm(after: deadline - clock.now())
    }

    /// The loop's timer fired: ticks if the deadline has come (the tick arms the next one), or
    /// sleeps on (a timer that fired a little early).
    private func timerFired() {
        timerArmedFor = nil
        guard running, let deadline = timerDeadline else { return }
        if deadline > clock.now() {
            arm(deadline)
        } else {
            tick()
        }
    }
}
