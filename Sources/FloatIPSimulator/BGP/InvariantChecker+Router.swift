import FloatIPCore

/// What the router's table may show beyond the plain invariants (`bgp` mover).
struct RouterAllowance {
    /// The seed's router delay: an UPDATE or a closed session changes the table this much later.
    var delay: Duration
    /// BFD's detection time or the hold time: how long a silent peer's routes stay.
    var detection: Duration
}

extension InvariantChecker {
    /// (a) with the `bgp` mover, on the group's announcements in the router (`routed`, by node index).
    ///
    /// With two or more, each announcement of a node that no longer stands behind it must be on its
    /// way out: a node that released (or whose host died) at `t` is gone by `t + delay`; a node
    /// stalled since `s` that still holds is gone by `s + detection + delay` (the router's hold timer
    /// or BFD). The announcements of nodes that stand behind them (up, running, holding) must keep
    /// the plain (a): a make-before-break handover, or one interval after the two heard each other
    /// (their heartbeats say what they hold, whatever the router has).
    func checkRoutes(_ routed: [Int], router: RouterAllowance, nodes: [SimNode], group g: Int, now: Instant) -> String? {
        guard routed.count > 1 else { return nil }
        var standing: [Int] = []
        for index in routed {
            let node = nodes[index]
            if node.isUp && node.holds[g] {
                guard let since = node.stalledSince else {
                    standing.append(index)
                    continue
                }
                let deadline = since + router.detection + router.delay
                if now > deadline {
                    return "(a) g\(g + 1): \(node.name), stalled since \(since), is still announced "
                        + "\((now - since).shortDescription) later beside \(others(routed, index, nodes)) "
                        + "(detection \(router.detection.shortDescription) + router delay \(router.delay.shortDescription))"
                }
                continue
            }
            let deadline = node.releasedAt[g] + router.delay
            if now > deadline {
                return "(a) g\(g + 1): \(node.name) stopped announcing at \(node.releasedAt[g]) "
                    + "(\(node.isUp ? "released" : "host down")), still in the router "
                    + "\((now - node.releasedAt[g]).shortDescription) later beside \(others(routed, index, nodes)) "
                    + "(router delay \(router.delay.shortDescription))"
            }
        }
        return checkDoubleHold(standing, nodes: nodes, group: g, now: now)
    }

    private func others(_ routed: [Int], _ index: Int, _ nodes: [SimNode]) -> String {
        routed.filter { $0 != index }.map { nodes[$0].name }.joined(separator: ", ")
    }
}
