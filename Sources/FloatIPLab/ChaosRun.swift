import FloatIPCore
import Foundation
import Glibc

/// `floatip lab chaos`: builds a lab of its own, throws random faults at it (one at a time, each
/// followed by a quiet gap), watches it from outside (`ChaosObserver`, the client's `LabProbe`,
/// the agents' processes), removes every fault and the lab (its etcd too) on every way out, and judges.
public struct ChaosRun: Sendable {
    /// What to run.
    public struct Options: Sendable {
        public var nodes = 3
        public var duration: Duration = .seconds(600)
        public var seed: UInt64 = 1
        /// The lab's name; `chaos-PID` unless a test says otherwise (leftovers are found by it).
        public var name = "chaos-\(getpid())"
        /// The `floatip` binary the agents run.
        public var binary = Lab.currentBinary()
        /// Coordinate the agents through an etcd cluster the lab starts (`LabEtcd`), and add the
        /// etcd faults (`etcd-kill`, `etcd-cut`).
        public var etcd = false
        /// With `etcd`: its members (3: killing one keeps the quorum, two lose it).
        public var etcdMembers = 3
        /// With `etcd`: the agents' `coordination.ttl` (the default, which docs/coordination.md
        /// advises with a cluster: a holder outlasts a leader election of up to 2 s).
        public var etcdTTL: Duration = .seconds(5)

        public init() {}
    }

    public var options: Options
    public var rules: ChaosRules

    public init(options: Options) {
        self.options = options
        // The lab's agents run the default timers (LabLayout.config); the judge's bounds follow
        // them, and the lease's with etcd.
        self.rules = ChaosRules(
            timers: Timers(), etcd: options.etcd ? ChaosEtcdRules(ttl: options.etcdTTL, members: options.etcdMembers) : nil)
    }

    /// Runs it; `output` gets one line per step. Throws on a broken lab or a signal (after removing it all).
    public func run(interrupt: LabInterrupt = .shared, output: @escaping (String) -> Void) throws(LabError) -> ChaosReport {
        try Lab.requireRoot()
        for removed in try ChaosLeftovers.remove() { output("removed the leftovers of an earlier run: \(removed)") }
        var layout = try LabLayout(name: options.name, nodes: options.nodes)
        if options.etcd {
            guard LabEtcd.executable() != nil else { throw .missingTool("etcd (install etcd-server)") }
            let endpoints = LabLayout.etcdAddresses.prefix(options.etcdMembers).map { "\"http://\($0):2379\"" }
            layout.extraConfig = "coordination: { kind: etcd, endpoints: [\(endpoints.joined(separator: ", "))], "
                + "ttl: \(options.etcdTTL.components.seconds)s }\n"
        }
        let clock = ContinuousClock()
        let origin = clock.now
        let line = { (text: String) in output(LabText.offset(clock.now - origin) + "  " + text) }
        line("lab \(layout.name): \(layout.nodes) nodes, seed \(options.seed), \(LabText.duration(options.duration)) of faults"
            + (options.etcd ? ", coordinated by etcd (\(options.etcdMembers) members, ttl \(LabText.duration(options.etcdTTL)))" : ""))
        var etcd: LabEtcd?
        let lab = try Lab.up(layout, binary: options.binary, interrupt: interrupt, progress: { line($0) }, beforeAgents: {
            guard options.etcd else { return }
            etcd = try LabEtcd(layout: layout, count: options.etcdMembers)
            line("etcd: \(options.etcdMembers) members in the switch namespace (\(etcd?.endpoints.joined(separator: ", ") ?? ""))")
        })
        let bound = options.duration + .seconds(600)
        var session: ChaosSession?
        do {
            let injector = try ChaosInjector(lab: lab, etcd: etcd)
            let observer = try ChaosObserver(
                namespaces: (1...layout.nodes).map(layout.namespace(node:)), address: LabLayout.floatingAddress,
                origin: origin, maximumDuration: bound)
            let probe = try LabProbe(namespace: layout.clientNamespace, maximumDuration: bound)
            session = ChaosSession(lab: lab, injector: injector, observer: observer, probe: probe, rules: rules, origin: origin,
                                   interrupt: interrupt, line: line)
            observer.start()
            probe.start()
            let facts = try session!.run(plan: ChaosPlan(seed: options.seed, etcd: options.etcd), duration: options.duration)
            try injector.healAll()
            let report = ChaosReport(options: options, rules: rules, facts: facts, judge: ChaosJudge(rules: rules))
            if !report.passed, let kept = Self.keepLogs(of: layout) {
                line("the agents' and responders' logs are kept in \(kept) (a violation needs them)")
            }
            let removal = try lab.down()
            line("lab removed: \(removal.processes) processes ended, \(removal.namespaces) namespaces deleted")
            return report
        } catch {
            line("\(error == .interrupted ? "interrupted" : "failed: \(error)"); removing every fault and the lab")
            session?.stopWatching()
            try? session?.injector.healAll()
            _ = try? lab.down()
            throw error
        }
    }

    /// Copies the lab's logs (`*.log`) to `/tmp/floatip-chaos-NAME-logs` before the lab, and its
    /// directory, is removed; that directory, or nil when nothing could be copied.
    static func keepLogs(of layout: LabLayout) -> String? {
        let target = "/tmp/floatip-chaos-\(layout.name)-logs"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: layout.directory))?.filter { $0.hasSuffix(".log") } ?? []
        guard !files.isEmpty, (try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)) != nil
        else { return nil }
        for file in files {
            try? FileManager.default.removeItem(atPath: target + "/" + file)
            try? FileManager.default.copyItem(atPath: layout.directory + "/" + file, toPath: target + "/" + file)
        }
        return target
    }
}
