import FloatIPCore

/// The VRRP invariants (docs/simulator.md, "VRRP mode"), checked after every event against the
/// world's truth (which server has the address) and the routers' states. With A the advertisement
/// interval, T the longest transit, L the longest claim, P the preempt delay, and MDI = 3A + A × 255/256
/// (the longest master-down interval, priority 1); "quiet" means no partition, no loss, no stalled
/// process, and every bound runs from the later of its start and the last fault:
///
/// - (a) Quiet: two servers hold the address for at most A + T (the better master's next
///   advertisement reaches the other, which yields).
/// - (b) Quiet, some router eligible (up, running, not stalled): the address is without a holder for
///   at most MDI + T + L; after a master left cleanly (a stop, a required check failing, maintenance:
///   it owes its backups a priority 0), at most the skew time A × 255/256 + T + L.
/// - (c) Always: a server holds the address only while its router is master, and a master whose claim
///   has finished holds it.
/// - (d) Always: a master yields to an advertisement exactly when it is better (higher priority, or
///   equal priority from a higher address) and never to priority 0.
/// - (e) Quiet for 2 × MDI + P + A + 4T + 2L: exactly one holder when a router is eligible; with
///   preemption, one of the highest priority among the eligible.
/// - (f) Always: a backup takes over no sooner than 3A after an advertisement it had to accept
///   (without preemption any; with it, one at least as good as its own priority, or a worse one
///   within `preempt_delay` of first hearing a worse master since it became backup), unless a
///   priority 0 came since.
struct VRRPInvariantChecker {
    let boundA: Duration
    let boundHole: Duration
    let boundHoleAfterZero: Duration
    let settle: Duration
    let preempt: Bool
    var lastDisturbance = Instant.zero
    /// When a master last left cleanly (a stop, a required check failing, maintenance): it must
    /// have sent priority 0.
    var masterLeftAt: Instant?
    var holeStart: Instant?
    var pending: String?
    /// (f), per node: when it first heard a worse master since it last became backup, and until
    /// when the advertisements it had to accept keep it from taking over.
    var worseSince: [Instant?]
    var mustWaitUntil: [Instant?]
    let threeIntervals: Duration
    let preemptDelay: Duration

    init(plan: VRRPSimulationPlan) {
        let a = plan.interval
        let t = plan.transit
        let l = Duration.nanoseconds(plan.moverLatency.upperBound)
        let epsilon = Duration.microseconds(10)
        let skewMax = a * 255 / 256
        let masterDown = a * 3 + skewMax
        boundA = a + t + epsilon
        boundHole = masterDown + t + l + epsilon
        boundHoleAfterZero = skewMax + t + l + epsilon
        settle = masterDown * 2 + plan.preemptDelay + a + t * 4 + l * 2 + epsilon
        preempt = plan.preempt
        preemptDelay = plan.preemptDelay
        threeIntervals = a * 3 - epsilon
        worseSince = Array(repeating: nil, count: plan.nodeNames.count)
        mustWaitUntil = worseSince
    }

    /// (f): the router (re)started: a backup with no master heard.
    mutating func started(node: Int) {
        worseSince[node] = nil
        mustWaitUntil[node] = nil
    }

    /// (f): a backup took over (its timer ran out).
    mutating func tookOver(node: Int, now: Instant) {
        guard pending == nil, let until = mustWaitUntil[node], now < until else { return }
        pending = "(f) n\(node + 1) took over \((until - now).shortDescription) before the master-down interval of the last "
            + "advertisement it had to accept could run out"
    }

    mutating func disturbed(at now: Instant) { lastDisturbance = max(lastDisturbance, now) }

    mutating func masterLeft(at now: Instant) { masterLeftAt = now }

    /// (d): the router `router` (after the input) received `advert` from `sender`; `before` is its state then.
    mutating func received(
        _ advert: VRRPAdvertisement, from sender: IPAddress, by router: SimVRRPRouter,
        before: (master: Bool, stopped: Bool, priority: UInt8), node: Int, now: Instant
    ) {
        guard !before.stopped else { return }
        guard before.master else { return backupReceived(advert, priority: before.priority, node: node, now: now) }
        if !router.isMaster {
            // Yielded to a better master: a backup that accepted its advertisement.
            worseSince[node] = nil
            mustWaitUntil[node] = now + threeIntervals
        }
        guard pending == nil else { return }
        let better =
            advert.priority > before.priority
            || (advert.priority == before.priority && KeepalivedModel.addressGreater(sender, router.ownAddress))
        if better && router.isMaster {
            pending = "(d) n\(node + 1), master at priority \(before.priority), stayed master on a better advertisement "
                + "(priority \(advert.priority) from \(sender))"
        } else if !better && !router.isMaster {
            pending = "(d) n\(node + 1), master at priority \(before.priority), yielded to a worse advertisement "
                + "(priority \(advert.priority) from \(sender))"
        }
    }

    /// (f): which advertisements a backup must accept (RFC 5798 6.4.2, keepalived's `preempt_delay`):
    /// any without preemption, one at least as good as its own priority, and a worse one until
    /// `preempt_delay` after it first heard a worse master since it became backup. Each accepted one
    /// keeps it backup for a master-down interval (at least 3A); priority 0 cuts that to the skew time.
    private mutating func backupReceived(_ advert: VRRPAdvertisement, priority: UInt8, node: Int, now: Instant) {
        guard advert.priority > 0 else {
            mustWaitUntil[node] = nil
            return
        }
        let worse = advert.priority < priority
        if worse {
            worseSince[node] = worseSince[node] ?? now
        } else {
            worseSince[node] = nil
        }
        let accept = !preempt || !worse || now < (worseSince[node] ?? now) + preemptDelay
        if accept { mustWaitUntil[node] = now + threeIntervals }
    }


    mutating func check(nodes: [VRRPSimNode], quiet: Bool, now: Instant) -> String? {
        if let pending { return pending }
        if let broken = checkHoldersAreMasters(nodes) { return broken }
        let holders = nodes.filter { $0.isUp && $0.holds }
        if !holders.isEmpty { holeStart = nil } else if holeStart == nil { holeStart = now }
        guard quiet else { return nil }
        for (i, a) in holders.enumerated() {
            for b in holders[(i + 1)...] {
                let reference = max(a.holdStart, b.holdStart, lastDisturbance)
                if now - reference > boundA {
                    return "(a) \(a.name) and \(b.name) both held the address for \((now - reference).shortDescription) "
                        + "on a quiet network (bound \(boundA.shortDescription))"
                }
            }
        }
        let eligible = nodes.filter(\.eligible)
        if let hole = holeStart, let earliest = eligible.compactMap(\.eligibleSince).min() {
            let reference = max(hole, lastDisturbance, earliest)
            let bound = reference == masterLeftAt ? boundHoleAfterZero : boundHole
            if now - reference > bound {
                return "(b) no holder for \((now - reference).shortDescription) on a quiet network (bound "
                    + "\(bound.shortDescription)\(bound == boundHoleAfterZero ? ", after a master left cleanly" : "")) although "
                    + eligible.map(\.name).joined(separator: ", ") + " could be master"
            }
        }
        guard now - lastDisturbance >= settle, !eligible.isEmpty else { return nil }
        if holders.count != 1 {
            return "(e) \(holders.count) holders \(holders.map(\.name)) after a quiet \(settle.shortDescription)"
        }
        let best = eligible.compactMap { $0.router?.priority }.max() ?? 0
        if preempt, let priority = holders[0].router?.priority, priority < best {
            return "(e) \(holders[0].name) holds at priority \(priority) after a quiet \(settle.shortDescription), "
                + "although an eligible router has priority \(best) and preempts"
        }
        return nil
    }

    /// (c): the address follows the routers' states.
    private func checkHoldersAreMasters(_ nodes: [VRRPSimNode]) -> String? {
        for node in nodes {
            let master = node.router?.isMaster ?? false
            if node.holds && !master {
                return "(c) \(node.name) holds the address but its router is \(node.router?.stateName ?? "down")"
            }
            if master && !node.holds && node.pendingClaim == nil {
                return "(c) \(node.name) is master but the address is not in place and no claim is under way"
            }
        }
        return nil
    }
}
