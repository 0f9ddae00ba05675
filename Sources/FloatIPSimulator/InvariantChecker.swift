import FloatIPCore

/// The invariants every simulated run must keep, checked after every event against the world's
/// truth (which server has the addresses), not against what the nodes believe:
///
/// - (a) Two holders of one group are allowed only during a make-before-break handover or until
///   the two have heard each other: once each has received a heartbeat from the other saying it
///   holds the group and is not handing it over (sent during this double hold, and carrying the
///   sender's current priority), one must release within one interval. A heartbeat whose sender's
///   priority has changed since is stale: the two may disagree on who ranks higher until the new
///   priority arrives, which no rule can hasten beyond sending it at once (docs/simulator.md).
/// - (b) While no partition is active and some node could hold a group (up, past its start-up
///   listen, healthy, not in maintenance), a group is never unheld for longer than
///   `interval × dead_after + interval` after the later of: the hole opening, the last fault, and
///   that node becoming able to hold, and the quiet bound of a node that went down or stalled
///   after a quiet heartbeat (peers may still count it alive until then, docs/decision.md).
/// - (c) No node claims during its start-up listen.
/// - (d) A node back from a stall (rule 8 of docs/decision.md) long enough that it must notice it
///   (`noticeable`) claims nothing for one dead interval after it resumes; and in that time, if it
///   still holds a group from before the stall and hears a peer hold it with a claim made while it
///   was stalled (a newer term), it releases within one interval.
///
/// With the `bgp` mover the truth is the router's table, and (a) and (b) read it
/// (`InvariantChecker+Router.swift`).
struct InvariantChecker {
    let timers: Timers
    var lastDisturbance = Instant.zero
    var holeStart: [Instant?]
    /// (receiver, sender, group) → when, during the double hold that began at `doubleStart`,
    /// the receiver first heard the sender hold the group with the sender's priority `priority`.
    var heardHolding: [HeardKey: (doubleStart: Instant, priority: Int, at: Instant)] = [:]
    var pending: String?
    let groupIndex: [String: Int]
    /// (d): each node's last resume from a stall (for the boot it happened in).
    var resumes: [Int: (boot: Int, stalledSince: Instant, at: Instant)] = [:]
    /// (d): (node, group) → the hold it must give up, and when and from whom it heard the newer claim.
    var mustRelease: [HeardKey: (holdStart: Instant, heardAt: Instant, from: String)] = [:]

    struct HeardKey: Hashable {
        var receiver: Int
        var sender: Int
        var group: Int
    }

    init(timers: Timers, groups: Int) {
        self.timers = timers
        holeStart = Array(repeating: nil, count: groups)
        groupIndex = Dictionary(uniqueKeysWithValues: (0..<groups).map { ("g\($0 + 1)", $0) })
    }

    /// (b) is checked (etcd mode checks its own bound instead).
    var checksCoverage = true
    /// `bgp` mover: the router's table is the truth, and what it allows (nil: addresses on servers).
    var router: RouterAllowance?
    /// `bgp` mover: per group, the last instant a node believed it held it without a router session.
    var sessionlessHold: [Int: Instant] = [:]

    mutating func disturbed(at now: Instant) { lastDisturbance = max(lastDisturbance, now) }

    mutating func claimed(node: SimNode, group: Int, now: Instant) {
        if now < node.bootedAt + timers.startupListen, pending == nil {
            pending = "(c) \(node.name) claimed g\(group + 1) during its start-up listen"
        }
        if let resume = resumes[node.index], resume.boot == node.boots, now < resume.at + timers.deadInterval,
            pending == nil
        {
            pending = "(d) \(node.name) claimed g\(group + 1) \((now - resume.at).shortDescription) after it resumed from a "
                + "stall of \((resume.at - resume.stalledSince).shortDescription), within a dead interval"
        }
    }

    /// A stall the node must notice: its next heartbeat was due at most 1.1 intervals after the
    /// stall began (heartbeats in step), and an input more than half a dead interval after that is one.
    var noticeable: Duration { timers.deadInterval / 2 + timers.interval + timers.interval / 10 }

    mutating func resumed(node: SimNode, stalledSince: Instant, now: Instant) {
        guard now - stalledSince > noticeable else { return }
        resumes[node.index] = (node.boots, stalledSince, now)
    }

    mutating func delivered(_ heartbeat: Heartbeat, from sender: Int, to receiver: Int, sentAt: Instant, nodes: [SimNode], now: Instant) {
        // Only a claim that is not being handed over obliges the other holder to resolve the conflict.
        for advert in heartbeat.groups where advert.role == .holder && advert.active && advert.handover == nil {
            guard let g = groupIndex[advert.group], nodes[receiver].holds[g], nodes[sender].holds[g],
                nodes[sender].holdStart[g] <= sentAt
            else { continue }
            let doubleStart = max(nodes[receiver].holdStart[g], nodes[sender].holdStart[g])
            // Sent during the double hold, and still the sender's rank: what the receiver ranks by.
            guard sentAt >= doubleStart, advert.priority == nodes[sender].condition(g).priority else { continue }
            let key = HeardKey(receiver: receiver, sender: sender, group: g)
            noteNewerClaim(advert, key: key, nodes: nodes, now: now)
            if let known = heardHolding[key], known.doubleStart == doubleStart, known.priority == advert.priority {
                continue
            }
            heardHolding[key] = (doubleStart, advert.priority, now)
        }
    }

    /// (d): a resumed node that held from before its stall hears a peer hold with a claim made while
    /// it was stalled, within a dead interval of the resume.
    private mutating func noteNewerClaim(_ advert: GroupAdvert, key: HeardKey, nodes: [SimNode], now: Instant) {
        let node = nodes[key.receiver]
        let groupName = node.config.groups[key.group].name
        guard let resume = resumes[key.receiver], resume.boot == node.boots, now < resume.at + timers.deadInterval,
            mustRelease[key] == nil, advert.eligible,
            node.holdStart[key.group] < resume.stalledSince,
            nodes[key.sender].holdStart[key.group] >= resume.stalledSince,
            let engine = node.machine?.engine(groupName), advert.term > engine.term
        else { return }
        mustRelease[key] = (node.holdStart[key.group], now, nodes[key.sender].name)
    }

    private mutating func checkStaleHolds(nodes: [SimNode], now: Instant) -> String? {
        for (key, obligation) in mustRelease {
            let node = nodes[key.receiver]
            let groupName = node.config.groups[key.group].name
            guard node.isUp, node.holds[key.group], node.holdStart[key.group] == obligation.holdStart,
                node.machine?.engine(groupName)?.handover == nil
            else {
                mustRelease[key] = nil
                continue
            }
            if now - obligation.heardAt > timers.interval {
                return "(d) \(node.name), back from a stall, kept g\(key.group + 1) for more than one interval after "
                    + "hearing \(obligation.from) hold it with a claim made while it was stalled"
            }
        }
        return nil
    }

    mutating func check(nodes: [SimNode], partitioned: Bool, now: Instant) -> String? {
        if let pending { return pending }
        if let stale = checkStaleHolds(nodes: nodes, now: now) { return stale }
        for g in holeStart.indices {
            var holders: [Int] = []
            if let router {
                // bgp mover: the router's announcements are the holders (InvariantChecker+Router).
                holders = nodes.indices.filter { nodes[$0].routed[g] != nil }
                if let violation = checkRoutes(holders, router: router, nodes: nodes, group: g, now: now) { return violation }
            } else {
                for index in nodes.indices where nodes[index].isUp && nodes[index].holds[g] { holders.append(index) }
                if let violation = checkDoubleHold(holders, nodes: nodes, group: g, now: now) { return violation }
            }
            if !holders.isEmpty {
                holeStart[g] = nil
                continue
            }
            let hole = holeStart[g] ?? now
            holeStart[g] = hole
            guard !partitioned, checksCoverage else { continue }
            // bgp: a node that believes it holds while it has no session with the router (back from
            // a stall whose session the router dropped; a claim without a session fails) is the
            // holder to its peers, and they rightly let it; the bound counts from the end of that
            // (its session back, or its release).
            if router != nil, nodes.contains(where: { $0.isUp && $0.stalledSince == nil && $0.holds[g] && $0.routerSessionSince == nil }) {
                sessionlessHold[g] = now
                continue
            }
            var earliest: Instant? = nil
            for index in nodes.indices where nodes[index].canHold(g, now: now, listen: timers.startupListen) {
                let from = nodes[index].eligibleFrom(g, listen: timers.startupListen)
                earliest = min(earliest ?? from, from)
            }
            guard let earliest else { continue }
            // A node gone quiet and then down may count as alive (and ranking first) until its
            // quiet bound: the takeover waits for it.
            let quietGone = nodes.filter { !$0.isUp || $0.stalledSince != nil }.map(\.quietUntil).max() ?? .zero
            let reference = max(hole, lastDisturbance, earliest, min(quietGone, now), sessionlessHold[g] ?? .zero)
            let bound = timers.deadInterval + timers.interval + (router?.delay ?? .zero)
            if now - reference > bound {
                let able = nodes.filter { $0.canHold(g, now: now, listen: timers.startupListen) }.map(\.name)
                return "(b) g\(g + 1) unheld for \((now - reference).shortDescription) since the last fault "
                    + "(bound \(bound.shortDescription)) although \(able.joined(separator: ", ")) could hold it"
            }
        }
        return nil
    }

    func checkDoubleHold(_ holders: [Int], nodes: [SimNode], group g: Int, now: Instant) -> String? {
        guard holders.count > 1 else { return nil }
        for (i, first) in holders.enumerated() {
            for second in holders[(i + 1)...] {
                let a = nodes[first]
                let b = nodes[second]
                let groupName = a.config.groups[g].name
                if a.machine?.engine(groupName)?.handover != nil || b.machine?.engine(groupName)?.handover != nil {
                    continue  // make-before-break window
                }
                let doubleStart = max(a.holdStart[g], b.holdStart[g])
                guard let ab = heardHolding[HeardKey(receiver: a.index, sender: b.index, group: g)],
                    let ba = heardHolding[HeardKey(receiver: b.index, sender: a.index, group: g)],
                    ab.doubleStart == doubleStart, ba.doubleStart == doubleStart,
                    ab.priority == b.condition(g).priority, ba.priority == a.condition(g).priority
                else { continue }
                let heard = max(ab.at, ba.at)
                if now - heard > timers.interval {
                    return "(a) two holders of \(groupName): \(a.name) and \(b.name) heard each other hold it "
                        + "(by \(heard)) and neither released within one interval"
                }
            }
        }
        return nil
    }
}
