import Foundation
import Glibc

/// One chaos run's loop over a built lab: draw a fault, inject it, hold it, remove it, wait a
/// quiet gap and for the cluster to settle; meanwhile notice crashed agents (and restart them) and
/// read the agents' resources.
final class ChaosSession {
    let lab: Lab
    let injector: ChaosInjector
    private let observer: ChaosObserver
    private let probe: LabProbe
    private let rules: ChaosRules
    private let origin: ContinuousClock.Instant
    private let interrupt: LabInterrupt
    private let line: (String) -> Void
    private let clock = ContinuousClock()
    private var events: [ChaosEvent] = []
    private var unsettled: [Int] = []
    private var crashes: [ChaosCrash] = []
    private var resources = ChaosResources()
    private var lastReading: Duration = .zero

    init(lab: Lab, injector: ChaosInjector, observer: ChaosObserver, probe: LabProbe, rules: ChaosRules,
         origin: ContinuousClock.Instant, interrupt: LabInterrupt, line: @escaping (String) -> Void) {
        self.lab = lab
        self.injector = injector
        self.observer = observer
        self.probe = probe
        self.rules = rules
        self.origin = origin
        self.interrupt = interrupt
        self.line = line
    }

    private var now: Duration { clock.now - origin }

    /// Faults from `plan` until `duration` has passed (the last one is finished, not cut short).
    func run(plan: ChaosPlan, duration: Duration) throws(LabError) -> ChaosFacts {
        var plan = plan
        try watch(.seconds(1))
        let end = now + duration
        while now < end {
            let fault = plan.next()
            let holder = currentHolder()
            let start = now
            let active = try injector.inject(fault, holder: holder)
            try watch(fault.duration)
            try injector.remove(active)
            let removed = fault.kind == .switchover ? start : now
            try watch(rules.quietGap)
            let settledAt = try settle()
            events.append(ChaosEvent(
                kind: fault.kind, node: active.node, peer: active.peer,
                hitHolder: active.node == holder && fault.kind != .loss && fault.kind != .etcdKill, start: start,
                end: removed, settled: settledAt ?? now, detail: active.detail, membersDown: active.members.count))
            if settledAt == nil { unsettled.append(events.count - 1) }
            line("\(active.detail)\(events.last!.hitHolder ? " [holder]" : "")"
                + (settledAt == nil ? "; NOT SETTLED" : "; settled, web\(currentHolder()) holds"))
        }
        let samples = stopWatching()
        let record = probe.record()
        let requests = record.requests.map {
            ChaosRequest(sent: $0.sent - origin, answered: $0.answered.map { $0 - origin }, node: $0.node)
        }
        return ChaosFacts(
            nodes: lab.layout.nodes, events: events, samples: samples, requests: requests, requestTimeout: record.timeout,
            crashes: crashes, resources: resources.agents, unsettled: unsettled)
    }

    /// Stops the observer and the probe (also on the way out after an error); the observer's samples.
    @discardableResult
    func stopWatching() -> [ChaosSample] {
        _ = probe.stop()
        return observer.stop()
    }

    /// The node the observer last saw holding alone (web1 if none or several).
    private func currentHolder() -> Int {
        guard let sample = observer.latest(), sample.nodes.count == 1 else { return 1 }
        return sample.nodes[0]
    }

    /// Waits (bounded by `settleLimit`) until one node holds and the client's latest answer, within
    /// the last 50 ms, came from it. When it settled, or nil.
    private func settle() throws(LabError) -> Duration? {
        let deadline = now + rules.settleLimit
        while now < deadline {
            if let sample = observer.latest(), sample.nodes.count == 1, let answer = probe.latestAnswer(),
               answer.node == lab.layout.nodeName(sample.nodes[0]), clock.now - answer.at < .milliseconds(50) {
                return now
            }
            try watch(.milliseconds(20))
        }
        return nil
    }

    /// Sleeps `duration` in 20 ms steps, checking for a signal and for agents that exited on their
    /// own (a crash: recorded and the agent restarted), and reading resources once a second.
    private func watch(_ duration: Duration) throws(LabError) {
        let deadline = clock.now + duration
        repeat {
            try interrupt.check()
            try noticeCrashes()
            if now - lastReading >= .seconds(1) {
                lastReading = now
                let agents = lab.state.processes.filter { $0.role == "agent" }.map { (node: lab.nodeNumber($0.node), pid: $0.pid) }
                resources.sample(agents, at: now)
            }
            let left = deadline - clock.now
            if left > .zero { try interrupt.sleep(min(.milliseconds(20), left)) }
        } while clock.now < deadline
    }

    private func noticeCrashes() throws(LabError) {
        for process in lab.state.processes where process.role == "agent" && !LabProcesses.isRunning(process.pid) {
            let node = lab.nodeNumber(process.node)
            crashes.append(ChaosCrash(node: node, pid: process.pid, at: now, logTail: LabText.tail(of: lab.layout.agentLog(node: node), lines: 5)))
            line("web\(node)'s agent (pid \(process.pid)) exited on its own; restarting it")
            lab.state.processes.removeAll { $0.pid == process.pid }
            try lab.startAgent(node: node)
        }
    }
}
