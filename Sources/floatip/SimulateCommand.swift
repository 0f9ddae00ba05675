import ArgumentParser
import Foundation
import FloatIPCore
import FloatIPSimulator

/// `floatip simulate`: many agents on a simulated network and clock, with seeded faults.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the failover logic on a simulated cluster with random faults, checking its invariants.",
        discussion: """
            Each seed draws a cluster (2–5 nodes unless --nodes), timers, network loss, delay, \
            duplicates and reordering, and a schedule of faults: partitions that heal, crashes and \
            restarts, check flaps, priority changes, maintenance, switchovers and mover failures. \
            The real decision engine, wire codec (with HMAC) and replay window run for every node. \
            After every event the simulator checks that (a) no group has two holders outside a \
            make-before-break handover and one interval after they hear each other, (b) some node \
            holds every group within interval × dead_after + interval of a fault whenever one can, \
            and (c) no node claims during its start-up listen.

            With --protocol vrrp, mixed or keepalived, each seed draws one VRRP virtual router \
            instead (version 3, 2–5 routers): floatip's VRRP router machine on every node (vrrp), \
            floatip and a model of keepalived 2.2.7 side by side (mixed), or the model alone \
            (keepalived), with crashes, clean stops (priority 0), partitions, loss, required checks \
            failing, priority weights, maintenance and stalls. It checks that on a quiet network (no \
            partition, loss or stall) two routers hold the address for at most one interval plus \
            transit, a hole closes within the master-down interval (the skew time after a priority \
            0), a settled router set has one holder of the best priority (with preemption), holders \
            are masters, a master yields exactly to better advertisements, and a backup waits out \
            the advertisements it had to accept (preempt_delay) (docs/simulator.md).

            With --mover bgp (floatip's own protocol), the groups move as the bgp mover moves \
            them: a claim announces the address to a simulated router and a release withdraws it, \
            each taking effect after a router delay (1–20 ms per seed); a crashed host's routes go \
            after that delay, a stalled node's after BFD's detection time or the hold time (300 ms, \
            3 s or 9 s per seed), and a resumed node reconnects after 1 s and announces what it \
            still holds. The router's table is then the truth the invariants read; they allow a \
            stalled holder's route for its detection time and add the router delay to their bounds.

            With one seed it prints the timeline of roles and reasons. With --seeds it runs many \
            and prints the first failing seed's timeline; replay it with --seed.

            Examples:
              floatip simulate                      # seed 1, timeline
              floatip simulate --seed 42 --nodes 3
              floatip simulate --seeds 20000        # exit 1 on any violation
              floatip simulate --protocol mixed --seeds 5000
              floatip simulate --mover bgp --seeds 20000
            """
    )

    @Option(help: "The seed to run (or the first of --seeds).") var seed: UInt64 = 1
    @Option(help: "How many consecutive seeds to run.") var seeds: Int = 1
    @Option(help: "Nodes per cluster (2–5); default: drawn from each seed.") var nodes: Int?
    @Option(help: "Simulated time per seed, e.g. 20s, 1m.", transform: parseDuration) var duration: Duration = .seconds(20)
    @Option(help: "Seeds run in parallel (default: the number of CPUs).") var jobs: Int = SimulateCommand.cpuCount
    @Flag(help: "With one seed: print only the summary, not the timeline.") var quiet = false
    @Option(
        name: .customLong("protocol"),
        help: "floatip (its own protocol), vrrp (floatip's VRRP routers), mixed (floatip and keepalived-model VRRP routers) or keepalived (the model alone)."
    ) var simulated: SimulatedProtocol = .floatip
    @Option(
        help: "With floatip's own protocol: local (addresses on the servers) or bgp (announcements to a simulated router, whose table is the truth)."
    ) var mover: SimulatedMover = .local

    /// How the simulated groups move (floatip's own protocol only).
    enum SimulatedMover: String, ExpressibleByArgument, CaseIterable, Sendable {
        case local, bgp
    }

    /// What the simulated cluster runs.
    enum SimulatedProtocol: String, ExpressibleByArgument, CaseIterable, Sendable {
        case floatip, vrrp, mixed, keepalived

        /// The VRRP cluster, nil for floatip's own protocol.
        var vrrp: VRRPClusterKind? { VRRPClusterKind(rawValue: rawValue) }
    }

    func validate() throws {
        if let nodes, !(2...5).contains(nodes) { throw ValidationError("--nodes must be between 2 and 5") }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if duration <= .zero || duration > .seconds(3600) { throw ValidationError("--duration must be between 1 ms and 1 h") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        // VRRP groups need the local mover (docs/vrrp.md), so the VRRP modes model addresses only.
        if mover != .local && simulated != .floatip {
            throw ValidationError("--mover \(mover.rawValue) needs --protocol floatip (VRRP groups use the local mover)")
        }
    }

    func run() async throws {
        if seeds == 1 {
            let result = Self.simulate(seed: seed, nodes: nodes, duration: duration, simulated: simulated, mover: mover)
            Self.summary(seed: seed, nodes: nodes, duration: duration, simulated: simulated, mover: mover).forEach { print($0) }
            if !quiet {
                print("")
                result.timeline.forEach { print($0) }
                print("")
            }
            report(result)
            if !result.passed { throw ExitCode.failure }
            return
        }
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = await runMany()
        let elapsed = clock.now - started
        if let failure = outcome.failure {
            Self.summary(seed: failure.seed, nodes: nodes, duration: duration, simulated: simulated, mover: mover).forEach { print($0) }
            print("")
            failure.timeline.suffix(80).forEach { print($0) }
            print("")
            report(failure)
            print(
                "replay: floatip simulate --seed \(failure.seed)\(nodes.map { " --nodes \($0)" } ?? "")"
                    + (simulated == .floatip ? "" : " --protocol \(simulated.rawValue)")
                    + (mover == .local ? "" : " --mover \(mover.rawValue)") + " --duration \(DurationText.format(duration))")
            throw ExitCode.failure
        }
        print(
            "\(outcome.count) seeds (\(seed)…\(seed + UInt64(outcome.count) - 1)) passed: "
                + "\(outcome.events) events, \(outcome.claims) claims, \(outcome.faults) faults; "
                + "0 invariant violations in \(elapsed.shortDescription)")
    }

    private func report(_ result: SimulationResult) {
        let s = result.stats
        if let violation = result.violation {
            print("seed \(result.seed): INVARIANT VIOLATED: \(violation)")
        } else {
            print(
                "seed \(result.seed): passed: \(s.events) events, \(s.sent) \(simulated == .floatip ? "heartbeats" : "advertisements") sent, \(s.delivered) delivered, "
                    + "\(s.lost) lost, \(s.claims) claims, \(s.faults) faults")
        }
    }

    private struct Outcome: Sendable {
        var count = 0
        var events = 0
        var claims = 0
        var faults = 0
        var failure: SimulationResult?
    }

    /// Runs the seeds on `jobs` workers; stops early at the first failure (the lowest failing seed
    /// among those run is reported, so the output is the same on every machine when all fail alike).
    private func runMany() async -> Outcome {
        let first = seed
        let total = seeds
        let nodes = nodes
        let duration = duration
        let simulated = simulated
        let mover = mover
        let workers = min(jobs, total)
        return await withTaskGroup(of: Outcome.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var outcome = Outcome()
                    var index = worker
                    while index < total {
                        let result = Self.simulate(seed: first + UInt64(index), nodes: nodes, duration: duration, simulated: simulated, mover: mover)
                        outcome.count += 1
                        outcome.events += result.stats.events
                        outcome.claims += result.stats.claims
                        outcome.faults += result.stats.faults
                        if !result.passed {
                            outcome.failure = result
                            break
                        }
                        index += workers
                    }
                    return outcome
                }
            }
            var total = Outcome()
            for await part in group {
                total.count += part.count
                total.events += part.events
                total.claims += part.claims
                total.faults += part.faults
                if let failure = part.failure, failure.seed < (total.failure?.seed ?? .max) { total.failure = failure }
            }
            return total
        }
    }

    static func simulate(
        seed: UInt64, nodes: Int?, duration: Duration, simulated: SimulatedProtocol, mover: SimulatedMover
    ) -> SimulationResult {
        if let cluster = simulated.vrrp {
            var simulation = VRRPSimulation(plan: VRRPSimulationPlan(seed: seed, cluster: cluster, nodes: nodes, duration: duration))
            return simulation.run()
        }
        var simulation = Simulation(plan: plan(seed: seed, nodes: nodes, duration: duration, mover: mover))
        return simulation.run()
    }

    static func summary(seed: UInt64, nodes: Int?, duration: Duration, simulated: SimulatedProtocol, mover: SimulatedMover) -> [String] {
        if let cluster = simulated.vrrp { return VRRPSimulationPlan(seed: seed, cluster: cluster, nodes: nodes, duration: duration).summary }
        return plan(seed: seed, nodes: nodes, duration: duration, mover: mover).summary
    }

    /// A seed's plan for floatip's own protocol; with the bgp mover, the same seed plus its router.
    static func plan(seed: UInt64, nodes: Int?, duration: Duration, mover: SimulatedMover) -> SimulationPlan {
        let plan = SimulationPlan(seed: seed, nodes: nodes, duration: duration)
        return mover == .bgp ? plan.withBGP() : plan
    }

    static var cpuCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
