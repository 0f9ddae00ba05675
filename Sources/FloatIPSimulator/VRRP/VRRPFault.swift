import FloatIPCore

/// What happens to a simulated VRRP cluster at one instant (docs/simulator.md, "VRRP mode").
public enum VRRPFault: Sendable, CustomStringConvertible {
    /// Host death: the router and the addresses vanish, no priority 0.
    case crash(node: Int)
    /// The process (agent or keepalived) starts again, as a new process.
    case restart(node: Int)
    /// A clean stop (systemctl stop): a master advertises priority 0 and releases; then the process is gone.
    case stop(node: Int)
    case partition(side: [Int])
    case heal
    case loss(Double)
    /// A required check fails (floatip: the router is suspended; keepalived: FAULT), or recovers.
    case checkFails(node: Int)
    case checkRecovers(node: Int)
    /// Failing weighted checks lower the advertised priority by `by`, or stop doing so.
    case priorityDrop(node: Int, by: Int)
    case priorityRestore(node: Int)
    /// floatip's maintenance (node or group): the router is suspended.
    case maintenance(node: Int, on: Bool)
    /// The process stops (SIGSTOP): its inputs wait, its addresses stay; `.resume` lets them through at once.
    case stall(node: Int)
    case resume(node: Int)

    public var description: String {
        switch self {
        case .crash(let node): "crash n\(node + 1)"
        case .restart(let node): "restart n\(node + 1)"
        case .stop(let node): "clean stop of n\(node + 1)"
        case .partition(let side): "partition {\(side.map { "n\($0 + 1)" }.joined(separator: ","))} from the rest"
        case .heal: "heal partition"
        case .loss(let p): "loss \(Int(p * 100)) %"
        case .checkFails(let node): "required check fails on n\(node + 1)"
        case .checkRecovers(let node): "required check recovers on n\(node + 1)"
        case .priorityDrop(let node, let by): "priority of n\(node + 1) drops by \(by)"
        case .priorityRestore(let node): "priority of n\(node + 1) restored"
        case .maintenance(let node, let on): "maintenance \(on ? "on" : "off") on n\(node + 1)"
        case .stall(let node): "n\(node + 1) stalls (SIGSTOP)"
        case .resume(let node): "n\(node + 1) resumes (SIGCONT)"
        }
    }
}

extension VRRPSimulationPlan {
    /// Faults with random gaps (0.2–3 s, one gap in four a quiet 4–8 s so that settled clusters are
    /// checked), each with its recovery 0.1–4 s later; one of a kind per node at a time.
    static func drawFaults(kinds: [VRRPNodeKind], baseLoss: Double, duration: Duration, rng: inout SplitMix64)
        -> [(at: Instant, fault: VRRPFault)]
    {
        let nodes = kinds.count
        var faults: [(at: Instant, fault: VRRPFault)] = []
        var busy: [String: Instant] = [:]
        var time = Instant.zero + rng.duration(.milliseconds(500), .seconds(2))
        let end = Instant.zero + duration
        func free(_ key: String, from start: Instant, until stop: Instant) -> Bool {
            guard (busy[key] ?? .zero) <= start else { return false }
            busy[key] = stop
            return true
        }
        while time < end {
            let stop = time + rng.duration(.milliseconds(100), .seconds(4))
            func add(_ fault: VRRPFault, _ recovery: VRRPFault) { faults += [(time, fault), (stop, recovery)] }
            let node = Int.random(in: 0..<nodes, using: &rng)
            // A process that is down (crash, clean stop) is one fault at a time.
            switch Int.random(in: 0..<8, using: &rng) {
            case 0:
                if free("down\(node)", from: time, until: stop) { add(.crash(node: node), .restart(node: node)) }
            case 1:
                if free("down\(node)", from: time, until: stop) { add(.stop(node: node), .restart(node: node)) }
            case 2:
                let side = (0..<nodes).filter { _ in rng.chance(0.5) }
                if !side.isEmpty, side.count < nodes, free("partition", from: time, until: stop) {
                    add(.partition(side: side), .heal)
                }
            case 3:
                let p: Double = [0.05, 0.2, 0.5].randomElement(using: &rng) ?? 0
                if free("loss", from: time, until: stop) { add(.loss(p), .loss(baseLoss)) }
            case 4:
                if free("check\(node)", from: time, until: stop) { add(.checkFails(node: node), .checkRecovers(node: node)) }
            case 5, 6:
                let by = Int.random(in: 1...200, using: &rng)
                if free("weight\(node)", from: time, until: stop) {
                    add(.priorityDrop(node: node, by: by), .priorityRestore(node: node))
                }
            default:
                // keepalived has no maintenance: its operator stops the service.
                if kinds[node] == .floatip, free("maintenance\(node)", from: time, until: stop) {
                    add(.maintenance(node: node, on: true), .maintenance(node: node, on: false))
                } else if kinds[node] == .keepalived, free("down\(node)", from: time, until: stop) {
                    add(.stop(node: node), .restart(node: node))
                }
            }
            time = time + (rng.chance(0.25) ? rng.duration(.seconds(4), .seconds(8)) : rng.duration(.milliseconds(200), .seconds(3)))
        }
        return faults.sorted { $0.at < $1.at }
    }

    /// A few lines describing the virtual router and the network a seed drew.
    public var summary: [String] {
        let routers = nodeNames.indices.map { index in
            let config = configs[index]
            return "\(nodeNames[index])=\(kinds[index].rawValue) \(config.ownAddress) priority \(config.priority)"
                + (configuredMaster[index] ? " state MASTER" : "")
        }
        return [
            "seed \(seed): VRRP (\(cluster.rawValue)), \(nodeNames.count) nodes, \(duration.shortDescription) simulated",
            "advert_int \(interval.shortDescription), " + (preempt ? "preempt, preempt_delay \(preemptDelay.shortDescription)" : "nopreempt"),
            "routers: " + routers.joined(separator: "; "),
            "network: loss \(Int(loss * 100)) %, delay \(baseDelay.shortDescription) + up to \(jitter.shortDescription), "
                + "duplicates \(Int(duplicateChance * 100)) %; \(faults.count) fault events",
        ]
    }
}
