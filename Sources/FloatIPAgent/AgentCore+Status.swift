import FloatIPCore

extension AgentCore {
    /// Tells status where to read the checks' current states from.
    public func setCheckStates(_ provider: @escaping @Sendable () -> [CheckState]) {
        checkStates = provider
    }

    /// A snapshot of this node, its groups, peers, checks and counters.
    public func status() -> AgentStatus {
        let now = clock.now()
        let groups = config.groups.compactMap { group -> AgentStatus.Group? in
            if let vrrp = vrrpGroups[group.name] { return vrrpStatus(group.name, vrrp) }
            if let anycast = anycastGroups[group.name] {
                // Every healthy node announces: "holder" is this node while it does, no one else is known.
                return AgentStatus.Group(
                    name: group.name, role: "\(anycast.role)", reason: anycast.reason,
                    holder: anycast.role == .holder ? "\(config.node.name) (anycast)" : nil, term: anycast.epoch,
                    priority: checkConditions[group.name]?.priority ?? group.priority, maintenance: inMaintenance(group.name),
                    handoverTo: nil, mover: (movers[group.name] as? any MoverTelemetrySource)?.telemetry())
            }
            guard let engine = machine.engine(group.name) else { return nil }
            let condition = machine.condition(engine.group)
            let holder: String? =
                engine.role == .holder
                ? config.node.name
                : machine.peerViews(engine.group).first { $0.holds && engine.isAlive($0, now: now) }?.name
            return AgentStatus.Group(
                name: engine.group, role: "\(engine.role)", reason: engine.reason, holder: holder, term: engine.term,
                priority: condition.priority, maintenance: condition.maintenance, handoverTo: engine.handover?.target,
                mover: (movers[engine.group] as? any MoverTelemetrySource)?.telemetry())
        }
        let peers = config.peers.map { peer -> AgentStatus.Peer in
            let record = machine.peers[peer.name]
            let age = record?.heardAt.map { now - $0 }
            let state = machine.aliveUntil(peer: peer.name).map { now < $0 ? "alive" : "dead" } ?? "never"
            let quiet = record?.heartbeat?.quietPeriod?.milliseconds
            return AgentStatus.Peer(
                name: peer.name, address: "\(peer.address)", state: state, lastHeardMs: age?.milliseconds,
                timerMismatch: record?.timerMismatch ?? false, quietEveryMs: quiet)
        }
        let checks = checkStates().map { check -> AgentStatus.Check in
            let required = if case .required = check.config.effect { true } else { false }
            return AgentStatus.Check(
                name: check.config.name, kind: check.config.kind.rawValue, state: check.state.rawValue,
                required: required, detail: check.detail)
        }
        let counters = machine.counters
        return AgentStatus(
            node: config.node.name, cluster: config.cluster, maintenance: machine.maintenance, groups: groups,
            peers: peers, checks: checks,
            counters: AgentStatus.Counters(
                sent: counters.sent, received: counters.received, rejected: counters.rejected,
                transitions: counters.transitions, stalls: counters.stalls),
            transitions: recentTransitions.map {
                AgentStatus.TransitionRecord(
                    group: $0.group, from: "\($0.from)", to: "\($0.to)", reason: $0.reason, atMs: Duration.nanoseconds($0.at.nanoseconds).milliseconds)
            },
            build: BuildInfo.current, uptimeMs: Duration.nanoseconds(now.nanoseconds).milliseconds,
            tracking: tracking(checks))
    }

    /// A VRRP group's line: the holder is this node while it is master, else the last master heard
    /// (by address: it may be a keepalived or a router).
    private func vrrpStatus(_ name: String, _ entry: VRRPGroupState) -> AgentStatus.Group {
        let view = entry.speaker.view
        let holder = entry.role == .holder ? config.node.name : view.master.map { "\($0.address) (VRRP)" }
        return AgentStatus.Group(
            name: name, role: "\(entry.role)", reason: entry.reason, holder: holder, term: entry.epoch,
            priority: Int(view.priority), maintenance: inMaintenance(name), handoverTo: nil,
            mover: (movers[name] as? any MoverTelemetrySource)?.telemetry(), vrrpDropped: entry.speaker.drops)
    }
}
