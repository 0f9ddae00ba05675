import FloatIPCore

/// The invariants of etcd mode, checked after every event against the world's truth (which
/// servers have the addresses, crashed ones included, and what the simulated etcd holds):
///
/// - (e1) one holder: never two servers with a group's addresses at the same instant, whatever
///   the partitions between the nodes.
/// - (e2) one tenure: a node whose election believes it holds the key (by its local deadline) holds
///   it by the server's view: the key names it, with its epoch, under a lease that has not expired.
/// - (e3) addresses only under a valid tenure: a server (up or crashed) has a group's addresses only
///   while the server's key names it, with the epoch the addresses were added under, under a lease
///   that has not expired.
/// - (e4) epochs and revisions only grow: every tenure won has a larger epoch than any before it,
///   and the server's revision never goes back.
/// - (e5) liveness: while the nodes reach each other and etcd, and etcd is up at its normal speed,
///   a group that some node could hold is never unheld for longer than
///   `SimulatedEtcdSettings.livenessBound` after the later of: the hole opening, the last
///   disturbance, that node becoming able to hold.
struct EtcdInvariantChecker {
    let bound: Duration
    var holeStart: [Instant?]
    var lastEpoch: [Int64]
    var lastRevision: Int64 = 0
    var pending: String?
    /// The longest a group has been unheld, counted as (e5) counts, while (e5) applied.
    var longestHole = Duration.zero

    let keys: [String]

    init(groups: Int, bound: Duration) {
        self.bound = bound
        keys = (0..<groups).map(SimEtcdWorld.key)
        holeStart = Array(repeating: nil, count: groups)
        lastEpoch = Array(repeating: 0, count: groups)
    }

    mutating func tenureBegan(node: String, group g: Int, epoch: Int64, now: Instant) {
        if epoch <= lastEpoch[g], pending == nil {
            pending = "(e4) \(node) won g\(g + 1) with epoch \(epoch), not above the last epoch \(lastEpoch[g])"
        }
        lastEpoch[g] = max(lastEpoch[g], epoch)
    }

    mutating func check(
        nodes: [SimNode], server: SimulatedEtcd, quiet: Bool, lastDisturbance: Instant, listen: Duration, now: Instant
    ) -> String? {
        if let pending { return pending }
        if server.revision < lastRevision {
            return "(e4) etcd's revision went back from \(lastRevision) to \(server.revision)"
        }
        lastRevision = server.revision
        for g in holeStart.indices {
            let key = server.keys[keys[g]]
            // Indices, not copies, and no allocation unless something is wrong: this runs after every event.
            var holders = 0
            for index in nodes.indices where nodes[index].holds[g] { holders += 1 }
            if holders > 1 {
                let names = nodes.filter { $0.holds[g] }.map(\.name)
                return "(e1) g\(g + 1) is on \(names.joined(separator: " and ")) at once"
            }
            for index in nodes.indices where nodes[index].holds[g] {
                let epoch = Int64(nodes[index].addresses[g].epoch)
                if let problem = Self.invalid(key, node: nodes[index].name, epoch: epoch, server: server, now: now) {
                    return
                        "(e3) \(nodes[index].name)\(nodes[index].isUp ? "" : " (crashed)") has g\(g + 1)'s addresses "
                        + "(epoch \(epoch)) but \(problem)"
                }
            }
            for index in nodes.indices where nodes[index].isUp {
                guard let tenure = nodes[index].fenced[g].tenure, now < tenure.deadline else { continue }
                if let problem = Self.invalid(
                    key, node: nodes[index].name, epoch: tenure.epoch, server: server, now: now)
                {
                    return
                        "(e2) \(nodes[index].name) believes it holds g\(g + 1)'s key (epoch \(tenure.epoch), deadline "
                        + "\(tenure.deadline)) but \(problem)"
                }
            }
            if let violation = checkLiveness(
                g, nodes: nodes, quiet: quiet, lastDisturbance: lastDisturbance, listen: listen, now: now)
            {
                return violation
            }
        }
        return nil
    }

    /// Why `node` does not hold the key with `epoch` by the server's view; nil when it does.
    static func invalid(_ key: SimulatedEtcd.KeyValue?, node: String, epoch: Int64, server: SimulatedEtcd, now: Instant)
        -> String?
    {
        guard let key else { return "etcd has no key" }
        guard key.value == node, key.createRevision == epoch else {
            return "etcd's key names \(key.value) (epoch \(key.createRevision))"
        }
        guard server.leaseAlive(key.lease, at: now) else { return "its lease has expired on the server" }
        return nil
    }

    private mutating func checkLiveness(
        _ g: Int, nodes: [SimNode], quiet: Bool, lastDisturbance: Instant, listen: Duration, now: Instant
    ) -> String? {
        for index in nodes.indices where nodes[index].isUp && nodes[index].holds[g] {
            holeStart[g] = nil
            return nil
        }
        let hole = holeStart[g] ?? now
        holeStart[g] = hole
        guard quiet else { return nil }
        let able = nodes.indices.filter { nodes[$0].canHold(g, now: now, listen: listen) }
        guard let earliest = able.map({ nodes[$0].eligibleFrom(g, listen: listen) }).min() else { return nil }
        let reference = max(hole, lastDisturbance, earliest)
        longestHole = max(longestHole, now - reference)
        guard now - reference > bound else { return nil }
        let names = able.map { nodes[$0].name }.joined(separator: ", ")
        return "(e5) g\(g + 1) unheld for \((now - reference).shortDescription) with etcd and the network healthy "
            + "(bound \(bound.shortDescription)) although \(names) could hold it"
    }
}
