/// Everything one node decides, as a pure value: the decision engines of its groups, what its
/// peers last said, anti-replay state and the heartbeat schedule.
///
/// The agent and the simulator are shells around it: they feed it datagrams, mover answers,
/// health and operator commands with the current `Instant`, perform what it returns, and wake it
/// at `nextWakeup`. Nothing here reads a clock or touches a socket.
public struct NodeMachine: Sendable {
    public internal(set) var config: ClusterConfig
    public let bootID: UInt64
    var codec: HeartbeatCodec
    /// A secret being rotated out (NodeMachine+Reload.swift): accepted and signed with too, until every
    /// peer speaks the new one or its grace ends.
    var rotation: SecretRotation?
    var sequence: UInt64 = 0
    /// One engine per group, in config order.
    public internal(set) var engines: [GroupEngine]
    var conditions: [String: LocalCondition]
    public internal(set) var peers: [String: PeerRecord]
    public internal(set) var counters = NodeCounters()
    /// Node-wide maintenance, and maintenance of single groups.
    public internal(set) var maintenance = false
    public internal(set) var maintenanceGroups: Set<String> = []
    var nextHeartbeatAt: Instant
    var lastAdverts: [GroupAdvert] = []
    /// The spacing the last heartbeat said (nil: kind 1, for a peer of an earlier release).
    var lastSpacing: Int? = 1
    /// What peers last said, per group (parallel to `engines`); rebuilt when a datagram is accepted.
    var views: [[PeerView]]
    /// Fractions of the timers used on every input, computed once (`Duration` division is slow).
    var halfDead: Duration
    var halfInterval: Duration
    var stepSlack: Duration
    /// When the shell last gave this node an input (to measure a stall); nil before the first one
    /// (the shell may take a while from creating the machine to starting it).
    var lastInputAt: Instant?

    /// A new node, starting now: every group in `starting`, first heartbeat due at once.
    /// `peerBoots`: the highest boot id this node accepted from each peer in an earlier run (from its
    /// state directory); a datagram of a lower boot is refused (`ReplayWindow.floor`).
    public init(config: ClusterConfig, secret: [UInt8], bootID: UInt64, now: Instant, peerBoots: [String: UInt64] = [:]) {
        self.config = config
        self.bootID = bootID
        self.codec = HeartbeatCodec(secret: secret, cluster: config.cluster)
        self.engines = config.groups.map { Self.engine(for: $0, in: config, now: now) }
        self.conditions = Dictionary(uniqueKeysWithValues: config.groups.map { ($0.name, LocalCondition(priority: $0.priority)) })
        self.peers = Dictionary(uniqueKeysWithValues: config.peers.map {
            ($0.name, PeerRecord(replay: ReplayWindow(floor: peerBoots[$0.name])))
        })
        self.nextHeartbeatAt = now
        self.views = Array(repeating: [], count: config.groups.count)
        (self.halfDead, self.halfInterval, self.stepSlack) = Self.fractions(config.timers)
    }

    /// A new engine for `group`, starting now (at start, and for a group a reload adds or remakes).
    static func engine(for group: GroupConfig, in config: ClusterConfig, now: Instant) -> GroupEngine {
        GroupEngine(
            group: group.name, node: config.node.name, preempt: group.preempt, timers: config.timers, startedAt: now,
            exclusive: config.coordination != nil)
    }

    /// Half the dead interval, half the interval and a tenth of it: `halfDead`, `halfInterval`, `stepSlack`.
    static func fractions(_ timers: Timers) -> (Duration, Duration, Duration) {
        (timers.deadInterval / 2, timers.interval / 2, timers.interval / 10)
    }

    /// This node's name.
    public var name: String { config.node.name }

    // MARK: Inputs

    /// Evaluates every group; sends a heartbeat when one is due or when anything it says changed.
    public mutating func tick(now: Instant) -> NodeOutput {
        let stall = noticeStall(now: now)
        var output = evaluate(now: now, heard: false)
        output.stall = stall
        endRotationIfExpired(now: now, into: &output)
        return output
    }

    /// `tick`, after a peer's heartbeat arrived (`heard`): then a heartbeat of ours due within
    /// half an interval goes now, with the peer's (see `heartbeatIfDue`).
    private mutating func evaluate(now: Instant, heard: Bool) -> NodeOutput {
        var output = NodeOutput()
        for index in engines.indices {
            let group = engines[index].group
            let before = (role: engines[index].role, reason: engines[index].reason)
            let decision = engines[index].step(local: condition(group), peers: views[index], now: now)
            record(group: group, before: before, decision: decision, now: now, into: &output)
        }
        heartbeatIfDue(now: now, heard: heard, into: &output)
        return output
    }

    /// Takes one datagram from the network. Bad ones are dropped and counted by reason and
    /// change nothing; good ones update the peer's view and re-evaluate.
    public mutating func receive(_ datagram: some Collection<UInt8>, now: Instant) -> NodeOutput {
        let stall = noticeStall(now: now)
        var output = accept(datagram, now: now)
        output.stall = stall
        return output
    }

    private mutating func accept(_ datagram: some Collection<UInt8>, now: Instant) -> NodeOutput {
        let heartbeat: Heartbeat
        var signedWithPrevious = false
        do {
            heartbeat = try codec.decode(datagram)
        } catch {
            guard let previous = decodeWithPrevious(datagram, now: now) else {
                counters.reject(error.reason)
                return NodeOutput()
            }
            heartbeat = previous
            signedWithPrevious = true
        }
        guard heartbeat.sender != name, peers[heartbeat.sender] != nil else {
            counters.reject(heartbeat.sender == name ? "own_name" : "unknown_peer")
            return NodeOutput()
        }
        let verdict = peers[heartbeat.sender, default: PeerRecord()].replay.accept(
            bootID: heartbeat.bootID, sequence: heartbeat.sequence)
        if let rejection = verdict.rejection {
            // A rotating peer's copy signed with the previous secret, after the one signed with the new:
            // the replay window drops it; counted apart, as it is expected.
            counters.reject(signedWithPrevious && verdict == .replayed ? "previous_secret_copy" : rejection.reason)
            var output = NodeOutput()
            if verdict == .staleBoot, let record = peers[heartbeat.sender],
                let known = record.replay.bootID ?? record.replay.floor
            {
                output.refusedBoot = RefusedBoot(peer: heartbeat.sender, bootID: heartbeat.bootID, known: known)
            }
            return output
        }
        // A boot id heard for the first time: the shell remembers it, so that this boot's and
        // earlier boots' recordings stay refused after this node restarts.
        let newBoot = verdict == .newBoot || peers[heartbeat.sender]?.heartbeat == nil
        if let last = peers[heartbeat.sender]?.heartbeat, last.bootID == heartbeat.bootID,
            last.sequence > heartbeat.sequence
        {
            // Authentic but overtaken by a newer datagram: applying it would roll the peer's state back.
            counters.reject("reordered")
            return NodeOutput()
        }
        counters.received += 1
        peers[heartbeat.sender]?.heartbeat = heartbeat
        peers[heartbeat.sender]?.heardAt = now
        peers[heartbeat.sender]?.timerMismatch = heartbeat.interval != config.timers.interval
        refreshViews()
        var output = evaluate(now: now, heard: true)
        if !signedWithPrevious { heardCurrentSecret(from: heartbeat.sender, into: &output) }
        if newBoot { output.peerBoots[heartbeat.sender] = heartbeat.bootID }
        return output
    }

    /// Sets this node's measured condition for a group (from `HealthSummary`).
    public mutating func setCondition(_ condition: LocalCondition, group: String) {
        conditions[group] = condition
    }

    /// Operator maintenance, for the whole node (`group == nil`) or one group. Takes effect at the next tick.
    public mutating func setMaintenance(_ on: Bool, group: String? = nil) {
        if let group {
            if on { maintenanceGroups.insert(group) } else { maintenanceGroups.remove(group) }
        } else {
            maintenance = on
        }
    }

    /// The mover's answer to a claim: done, or failed with a message.
    public mutating func claimFinished(group: String, epoch: UInt64, error: String?, now: Instant) -> NodeOutput {
        guard let index = engines.firstIndex(where: { $0.group == group }) else { return NodeOutput() }
        var output = NodeOutput()
        output.stall = noticeStall(now: now)
        if let error {
            let before = (role: engines[index].role, reason: engines[index].reason)
            let retry = max(Duration.seconds(1), config.timers.deadInterval)
            let decision = engines[index].claimFailed(epoch: epoch, message: error, now: now, retryAfter: retry)
            record(group: group, before: before, decision: decision, now: now, into: &output)
        } else {
            engines[index].claimSucceeded(epoch: epoch)
        }
        heartbeatIfDue(now: now, into: &output)
        return output
    }

    /// The mover says `group`'s failed claim may be tried again now (its etcd key, held by another
    /// node, is gone): ends the claim-failure wait; the next `tick` decides. Returns false (nothing
    /// changed) when no failed claim of the group is waiting.
    public mutating func claimMayRetry(group: String) -> Bool {
        guard let index = engines.firstIndex(where: { $0.group == group }) else { return false }
        return engines[index].claimMayRetry()
    }

    /// Starts an operator's switchover of `group` (make-before-break); returns the target.
    public mutating func switchover(group: String, to target: String?, now: Instant) throws(SwitchoverFailure)
        -> (target: String, output: NodeOutput)
    {
        guard let index = engines.firstIndex(where: { $0.group == group }) else { throw .unknownGroup(group) }
        let chosen: String
        do {
            chosen = try engines[index].startSwitchover(to: target, peers: views[index], now: now)
        } catch {
            throw .refused(error)
        }
        return (chosen, tick(now: now))
    }

    /// When the shell must call `tick` next if nothing arrives before: the next heartbeat or
    /// the next instant a decision can change by time alone.
    public func nextWakeup(now: Instant) -> Instant {
        var wake = tickPromise
        if let rotation { wake = min(wake, rotation.until) }
        for (index, engine) in engines.enumerated() {
            if let deadline = engine.nextDeadline(peers: views[index], now: now) { wake = min(wake, deadline) }
        }
        return wake
    }

    // MARK: Views

    /// This node's condition for a group, with operator maintenance applied.
    public func condition(_ group: String) -> LocalCondition {
        var condition = conditions[group] ?? LocalCondition(priority: 0)
        condition.maintenance = condition.maintenance || maintenance || maintenanceGroups.contains(group)
        return condition
    }

    /// What each peer last said about a group, with arrival times, in config order.
    public func peerViews(_ group: String) -> [PeerView] {
        engines.firstIndex { $0.group == group }.map { views[$0] } ?? []
    }

    mutating func refreshViews() {
        for (index, engine) in engines.enumerated() {
            views[index] = config.peers.compactMap { peer in
                guard let record = peers[peer.name], let heardAt = record.heardAt,
                    let advert = record.heartbeat?.groups.first(where: { $0.group == engine.group })
                else { return nil }
                return PeerView(
                    name: peer.name, heardAt: heardAt, advert: advert, quietPeriod: record.heartbeat?.quietPeriod)
            }
        }
    }

    /// The engine of a group, if the node is in it.
    public func engine(_ group: String) -> GroupEngine? { engines.first { $0.group == group } }

    // MARK: Internals

    /// Rule 8 (docs/decision.md): the shell must give this node a tick by its next heartbeat; an
    /// input later than that by more than half a dead interval means the node was stalled (stopped,
    /// paused, starved), and every engine treats its view as stale. Returns how long the node was
    /// away, once per stall.
    private mutating func noticeStall(now: Instant) -> Duration? {
        defer { lastInputAt = max(lastInputAt ?? now, now) }
        guard let last = lastInputAt, now - tickPromise > halfDead else { return nil }
        let length = now - last
        counters.stalls += 1
        // The heartbeat deadline moves on at once, so the next input does not count the same stall.
        nextHeartbeatAt = now
        for index in engines.indices { engines[index].resumed(after: length, now: now) }
        return length
    }

    private mutating func record(
        group: String, before: (role: Role, reason: String), decision: GroupDecision, now: Instant,
        into output: inout NodeOutput
    ) {
        for intent in decision.intents { output.actions.append(GroupAction(group: group, intent: intent)) }
        if decision.role != before.role || decision.reason != before.reason {
            if decision.role != before.role { counters.transitions += 1 }
            output.transitions.append(
                Transition(group: group, from: before.role, to: decision.role, reason: decision.reason, at: now))
        }
    }

    /// Sends a heartbeat when one is due, or early when what it says changed. Right after a peer's
    /// heartbeat (`heard`), one due within half an interval goes now and the next is due an
    /// interval and a tenth after it: nodes fall into step, each following node answering the one
    /// that leads in the same wake-up instead of waking again for its own timer (an idle node
    /// wakes once per interval, not twice). No gap between two heartbeats of a node is shorter
    /// than half an interval; a gap of 1.1 intervals occurs only after the leading node's
    /// heartbeat was lost or it went silent.
    ///
    /// A quiet standby (docs/decision.md) does the same with `quietSpacing` intervals in place of
    /// one, and sends at once when it stops being quiet.
    private mutating func heartbeatIfDue(now: Instant, heard: Bool = false, into output: inout NodeOutput) {
        let adverts = engines.map { $0.advert(local: condition($0.group)) }
        let spacing = heartbeatSpacing(now: now)
        let period = config.timers.interval * (spacing ?? 1)
        let inStep = heard && now < nextHeartbeatAt && nextHeartbeatAt - now <= halfInterval
        let due = now >= nextHeartbeatAt || inStep
        guard due || adverts != lastAdverts || spacing != lastSpacing else { return }
        if inStep {
            nextHeartbeatAt = now + period + stepSlack
        } else if due && spacing == lastSpacing {
            // Absolute deadlines: the schedule does not drift; if the shell fell behind, skip ahead.
            nextHeartbeatAt = nextHeartbeatAt + period
            if nextHeartbeatAt <= now { nextHeartbeatAt = now + period }
        } else if spacing != lastSpacing {
            nextHeartbeatAt = now + period
        }
        sequence += 1
        lastAdverts = adverts
        lastSpacing = spacing
        let heartbeat = Heartbeat(
            cluster: config.cluster, sender: name, bootID: bootID, sequence: sequence,
            interval: config.timers.interval, groups: adverts, spacing: spacing)
        do {
            output.datagram = try codec.encode(heartbeat)
            output.previousDatagram = try rotation?.codec.encode(heartbeat)
            output.heartbeat = heartbeat
            counters.sent += 1
        } catch {
            // Config validation keeps names and group counts within the format; count it if not.
            counters.encodeFailures += 1
        }
    }
}

extension NodeMachine {
    /// The spacing this node's next heartbeat says: `quietSpacing` while every group may be quiet,
    /// 1 otherwise, and nil (a kind-1 datagram, every interval) while a peer of an earlier release,
    /// which cannot read spaced heartbeats, is heard.
    func heartbeatSpacing(now: Instant) -> Int? {
        if peers.values.contains(where: { $0.heartbeat != nil && $0.heartbeat?.spacing == nil }) { return nil }
        let quiet = config.timers.quietSpacing > 1
            && engines.indices.allSatisfy { index in
                engines[index].mayBeQuiet(local: condition(engines[index].group), peers: views[index], now: now)
            }
        return quiet ? config.timers.quietSpacing : 1
    }

    /// Until when `peer` counts as alive without another heartbeat, as the engines judge it
    /// (`Timers.deadBound`). Nil before it was heard.
    public func aliveUntil(peer: String) -> Instant? {
        guard let record = peers[peer], let heardAt = record.heardAt else { return nil }
        return heardAt + config.timers.deadBound(quietPeriod: record.heartbeat?.quietPeriod)
    }

    /// When the shell has promised to give this node its next input at the latest (rule 8): its
    /// next heartbeat, and for a quiet standby also 1.1 intervals after its last input (the holder
    /// it follows heartbeats every interval), so that a stall is noticed as soon as a node that
    /// heartbeats every interval would notice it.
    var tickPromise: Instant {
        guard (lastSpacing ?? 1) > 1, let last = lastInputAt else { return nextHeartbeatAt }
        return min(nextHeartbeatAt, last + config.timers.interval + stepSlack)
    }
}

/// What this node knows of one peer.
public struct PeerRecord: Sendable {
    /// The last accepted heartbeat.
    public var heartbeat: Heartbeat?
    public var heardAt: Instant?
    /// The peer's heartbeat interval differs from ours: shown in status, failover still works.
    public var timerMismatch = false
    var replay = ReplayWindow()

    public init() {}

    init(replay: ReplayWindow) {
        self.replay = replay
    }
}

/// What a node asks its shell to do after one input.
public struct NodeOutput: Sendable {
    /// A heartbeat to send to every peer, if one is due: the encoded datagram and what it says.
    public var datagram: [UInt8]?
    public var heartbeat: Heartbeat?
    /// Intents for the movers and the notifier, in order.
    public var actions: [GroupAction] = []
    /// Role or reason changes, for logs, the event log and the simulator's timeline.
    public var transitions: [Transition] = []
    /// Peers whose datagrams came from a boot id not heard from them before (a restart, or the
    /// first datagram since this node started): for the shell to remember across its own restarts.
    public var peerBoots: [String: UInt64] = [:]
    /// An authentic datagram refused because its boot id is below the peer's newest known one: a
    /// replay, or a peer that restarted without its state and with its clock behind (the shell
    /// says so; docs/protocol.md).
    public var refusedBoot: RefusedBoot?
    /// This node was stalled for this long before this input (rule 8): for the shell to report.
    public var stall: Duration?
    /// While a secret is rotated out: the same heartbeat signed with the previous secret, for peers
    /// that do not have the new one yet (sent after `datagram`).
    public var previousDatagram: [UInt8]?
    /// The previous secret stopped being accepted at this input (NodeMachine+Reload.swift).
    public var secretRotation: SecretRotation.End?

    public init() {}
}

/// A peer's datagram refused for its old boot id (`NodeOutput.refusedBoot`).
public struct RefusedBoot: Sendable, Equatable {
    public var peer: String
    public var bootID: UInt64
    /// The newest boot id this node knows of the peer.
    public var known: UInt64
}

/// One intent for one group.
public struct GroupAction: Sendable, Equatable {
    public var group: String
    public var intent: Intent
}

/// A change of a group's role or reason on this node.
public struct Transition: Sendable, Equatable {
    public var group: String
    public var from: Role
    public var to: Role
    public var reason: String
    public var at: Instant

    public init(group: String, from: Role, to: Role, reason: String, at: Instant) {
        self.group = group
        self.from = from
        self.to = to
        self.reason = reason
        self.at = at
    }
}

/// Counts of what the node sent, received and rejected (the agent exports them as metrics).
public struct NodeCounters: Sendable, Equatable {
    public var sent = 0
    public var received = 0
    /// Datagrams dropped, by reason (`bad_auth`, `replay`, `truncated`, `unknown_peer`, …).
    public var rejected: [String: Int] = [:]
    public var transitions = 0
    /// Heartbeats that could not be encoded (a name or size outside the format; config validation prevents it).
    public var encodeFailures = 0
    /// Stalls noticed (rule 8): inputs that came more than half a dead interval after a heartbeat was due.
    public var stalls = 0

    mutating func reject(_ reason: String) { rejected[reason, default: 0] += 1 }
}

/// Why a switchover request was not started.
public enum SwitchoverFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownGroup(String)
    case refused(GroupEngine.SwitchoverError)
    /// The group speaks VRRP: its virtual router decides, and VRRP has no make-before-break switchover.
    case vrrp(String)
    /// The group is anycast: every healthy node announces it, there is no holder to switch.
    case anycast(String)

    public var description: String {
        switch self {
        case .anycast(let group):
            "group \(group) is anycast (every healthy node announces it): there is no holder to switch; put a node in "
                + "maintenance to take its announcement away (docs/bgp.md)"
        case .unknownGroup(let group): "no group named \(group) on this node"
        case .vrrp(let group):
            "group \(group) speaks VRRP, which has no make-before-break switchover: put the holder in maintenance "
                + "instead (it advertises priority 0, and the best backup takes over within its skew time; docs/vrrp.md)"
        case .refused(let error): error.description
        }
    }
}
