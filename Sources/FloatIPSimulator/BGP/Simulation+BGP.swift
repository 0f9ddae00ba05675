import FloatIPCore

/// The `bgp` mover (docs/bgp.md) in the simulator: a claim puts the address on `lo` and announces
/// it, a release withdraws it; the router's table, one router delay later, is the world's truth.
extension Simulation {
    var bgpMode: Bool { plan.bgp != nil }
    private var routerDelay: Duration { bgp.settings.routerDelay }

    /// A fresh agent's speaker connects at once; the OPEN exchange takes one router delay.
    mutating func bgpBooted(_ index: Int) {
        bgp.speaker[index] = nil
        bgp.lostWhileStalled[index] = false
        nodes[index].routerSessionSince = nil
        queue.schedule(.bgp(.connect(node: index, boot: nodes[index].boots)), at: now + routerDelay)
    }

    /// The claim's address is on `lo`: the speaker announces it (or will, once its session is up).
    mutating func bgpAnnounce(_ index: Int, _ g: Int) {
        guard let session = bgp.speaker[index] else { return }
        queue.schedule(.bgp(.update(node: index, session: session, group: g, announce: true)), at: now + routerDelay)
    }

    /// A release: withdrawn first (then the address leaves `lo`, at once here).
    mutating func bgpWithdraw(_ index: Int, _ g: Int) {
        nodes[index].releasedAt[g] = now
        guard let session = bgp.speaker[index] else { return }
        queue.schedule(.bgp(.update(node: index, session: session, group: g, announce: false)), at: now + routerDelay)
    }

    /// The host died: its kernel closes the sessions, the router drops the routes one delay later.
    mutating func bgpCrashed(_ index: Int) {
        for g in nodes[index].holds.indices where nodes[index].holds[g] { nodes[index].releasedAt[g] = now }
        bgp.speaker[index] = nil
        bgp.lostWhileStalled[index] = false
        nodes[index].routerSessionSince = nil
        if let session = bgp.router[index] {
            queue.schedule(.bgp(.closed(node: index, session: session)), at: now + routerDelay)
        }
    }

    /// The agent stops: its keepalives and BFD packets stop with it, and the router's detection
    /// runs from now.
    mutating func bgpStalled(_ index: Int) {
        guard let session = bgp.router[index] else { return }
        var silence = bgp.settings.detection
        if case .lateDetection(let extra) = bgp.settings.defect { silence += extra }
        queue.schedule(.bgp(.silent(node: index, session: session, stalledSince: now)), at: now + silence)
    }

    /// The agent runs again. If the router dropped the session meanwhile, the speaker reads the
    /// NOTIFICATION (or the reset) now and reconnects after its backoff; until then it announces
    /// nothing, and on reconnect it announces what it holds then.
    mutating func bgpResumed(_ index: Int) {
        guard bgp.lostWhileStalled[index] else { return }
        bgp.lostWhileStalled[index] = false
        if case .reannouncesReleased = bgp.settings.defect { bgp.announcedBeforeLoss[index] = nodes[index].holds }
        bgp.speaker[index] = nil
        queue.schedule(.bgp(.connect(node: index, boot: nodes[index].boots)), at: now + bgp.settings.reconnectBackoff)
    }

    mutating func handleBGP(_ event: SimBGPEvent) {
        switch event {
        case .connect(let index, let boot):
            guard nodes[index].isUp, nodes[index].boots == boot, bgp.speaker[index] == nil else { return }
            bgp.lastSession[index] += 1
            let session = bgp.lastSession[index]
            bgp.speaker[index] = session
            bgp.router[index] = session
            nodes[index].routerSessionSince = now
            timeline.append(TimelineEntry(at: now, node: nodes[index].name, kind: .mover, text: "BGP session up"))
            // A session that comes back is a change of the world: (b) counts from it (a holder that
            // was stalled believes it holds, and its peers rightly let it; its route is back now).
            checker.disturbed(at: now)
            var announce = nodes[index].holds
            if case .reannouncesReleased = bgp.settings.defect {
                announce = zip(announce, bgp.announcedBeforeLoss[index]).map { $0 || $1 }
                bgp.announcedBeforeLoss[index] = announce.map { _ in false }
            }
            for g in announce.indices where announce[g] {
                queue.schedule(.bgp(.update(node: index, session: session, group: g, announce: true)), at: now + routerDelay)
            }
        case .update(let index, let session, let g, let announce):
            guard bgp.router[index] == session, announce != (nodes[index].routed[g] != nil) else { return }
            nodes[index].routed[g] = announce ? now : nil
            routerChanged(g)
        case .closed(let index, let session):
            guard bgp.router[index] == session else { return }
            dropSession(index, why: "session closed")
        case .silent(let index, let session, let stalledSince):
            guard bgp.router[index] == session, nodes[index].stalledSince == stalledSince else { return }
            dropSession(index, why: "\(bgp.settings.detectionName) expired")
            bgp.lostWhileStalled[index] = true
        }
    }

    /// The router ends its session with a node: every route the node announced goes.
    private mutating func dropSession(_ index: Int, why: String) {
        bgp.router[index] = nil
        nodes[index].routerSessionSince = nil
        timeline.append(TimelineEntry(at: now, node: nil, kind: .mover, text: "router: \(nodes[index].name)'s \(why), its routes dropped"))
        for g in nodes[index].routed.indices where nodes[index].routed[g] != nil {
            nodes[index].routed[g] = nil
            routerChanged(g)
        }
    }

    /// Notes a change of the group's best path: the lowest node index among the announcements, as
    /// BIRD breaks the tie by the lowest router ID (the nodes' addresses go up with their index).
    private mutating func routerChanged(_ g: Int) {
        let paths = nodes.indices.filter { nodes[$0].routed[g] != nil }
        let text =
            paths.first.map { "router: \(plan.groupNames[g]) via \(nodes[$0].name)" } ?? "router: \(plan.groupNames[g]) has no route"
        let others = paths.dropFirst().map { nodes[$0].name }
        timeline.append(
            TimelineEntry(at: now, node: nil, kind: .mover, text: text + (others.isEmpty ? "" : " (also announced by \(others.joined(separator: ", ")))")))
    }

    /// The node the router forwards the group's traffic to, nil when it has no route.
    public func routerPath(of group: String) -> String? {
        guard let g = plan.groupNames.firstIndex(of: group) else { return nil }
        return nodes.first { $0.routed[g] != nil }?.name
    }
}
