import FloatIPCore
import Foundation

/// `floatip lab demo`: builds a lab, lets the client ask the floating address every 5 ms, and
/// walks through a failover (web1's link down), a failback (link up, after preempt_delay) and
/// a maintenance switchover and back (`floatip maintenance on|off`), printing a timeline with the outages the client measured; then removes
/// the lab. On an error or a signal it removes the lab too.
public struct LabDemo {
    /// The outages the client measured.
    public struct Result: Sendable {
        /// web1's link down → web2 answers.
        public var failover: LabProbeRecord.Outage
        /// web1's link back → web1 answers again (after preempt_delay).
        public var failback: LabProbeRecord.Outage
        /// web1 into maintenance → web2 answers; out of it → web1 answers again (make-before-break both ways).
        public var maintenance: LabProbeRecord.Outage
        public var maintenanceReturn: LabProbeRecord.Outage
        /// Requests sent and failed over the whole demo.
        public var sent: Int
        public var failed: Int
    }

    /// The lab to build (a unique name per run).
    public var layout: LabLayout
    /// The timers the lab's agents run with (the defaults), for the bound printed with the failover.
    public var timers = Timers()

    public init(layout: LabLayout) {
        self.layout = layout
    }

    /// Runs the demo, printing each timeline line through `output`.
    public func run(interrupt: LabInterrupt = .shared, output: @escaping (String) -> Void) throws(LabError) -> Result {
        try Lab.requireRoot()
        let clock = ContinuousClock()
        let start = clock.now
        let line = { (at: ContinuousClock.Instant, text: String) in
            output(LabText.offset(at - start) + "  " + text)
        }
        line(start, "lab \(layout.name): building a switch, \(layout.nodes) nodes (web1…web\(layout.nodes)) and a client")
        let lab = try Lab.up(layout, interrupt: interrupt) { line(clock.now, $0) }
        var probe: LabProbe?
        do {
            let result = try walk(lab, clock: clock, interrupt: interrupt, line: line) { probe = $0 }
            let removal = try lab.down()
            line(clock.now, "lab removed: \(removal.processes) processes ended, \(removal.namespaces) namespaces deleted")
            return result
        } catch {
            _ = probe?.stop()
            line(clock.now, "\(error == .interrupted ? "interrupted" : "failed: \(error)"); removing the lab")
            _ = try? lab.down()
            throw error
        }
    }

    private func walk(
        _ lab: Lab, clock: ContinuousClock, interrupt: LabInterrupt, line: (ContinuousClock.Instant, String) -> Void,
        started: (LabProbe) -> Void
    ) throws(LabError) -> Result {
        let probe = try LabProbe(namespace: layout.clientNamespace)
        started(probe)
        probe.start()
        let vip = LabLayout.floatingAddress
        let first = try answer(from: "web1", after: clock.now, probe: probe, lab: lab, interrupt: interrupt)
        line(first, "client → web1 answers (the client asks \(vip) every 5 ms)")
        try interrupt.sleep(.seconds(1))

        let linkDown = clock.now
        try lab.setLink(node: 1, up: false)
        line(linkDown, "web1's link goes down (ip link set eth0 down in its namespace)")
        let takeover = try answer(from: "web2", after: linkDown, probe: probe, lab: lab, interrupt: interrupt)
        let failover = probe.record().outage(from: linkDown, to: takeover)
        let bound = timers.interval * (timers.deadAfter + 2)
        line(takeover, "client → web2 answers (outage \(LabText.duration(failover.longestGap)), "
            + "\(failover.failedRequests) requests failed; dead after \(LabText.duration(timers.deadInterval)), "
            + "bound \(LabText.duration(bound)))")
        try interrupt.sleep(.seconds(1))

        let linkUp = clock.now
        try lab.setLink(node: 1, up: true)
        line(linkUp, "web1's link comes back; it takes the address back after preempt_delay "
            + "(\(LabLayout.preemptDelay.components.seconds) s)")
        let failbackAt = try answer(from: "web1", after: linkUp, probe: probe, lab: lab, interrupt: interrupt)
        let failback = probe.record().outage(from: linkUp, to: failbackAt)
        line(failbackAt, "client → web1 answers again, \(LabText.duration(failbackAt - linkUp)) after "
            + "its link came back (outage \(LabText.duration(failback.longestGap)), \(failback.failedRequests) requests failed)")
        try interrupt.sleep(.seconds(1))

        let maintenanceOn = clock.now
        try lab.setMaintenance(node: 1, on: true)
        line(maintenanceOn, "operator: floatip maintenance on (web1): web1 hands the address over, make-before-break")
        let handedOver = try answer(from: "web2", after: maintenanceOn, probe: probe, lab: lab, interrupt: interrupt)
        let maintenance = probe.record().outage(from: maintenanceOn, to: handedOver)
        line(handedOver, "client → web2 answers (longest gap \(LabText.duration(maintenance.longestGap)), "
            + "\(maintenance.failedRequests) requests failed)")
        try interrupt.sleep(.seconds(1))
        let maintenanceOff = clock.now
        try lab.setMaintenance(node: 1, on: false)
        line(maintenanceOff, "operator: floatip maintenance off (web1): it takes the address back after preempt_delay")
        let returned = try answer(from: "web1", after: maintenanceOff, probe: probe, lab: lab, interrupt: interrupt)
        let maintenanceReturn = probe.record().outage(from: maintenanceOff, to: returned)
        line(returned, "client → web1 answers again (longest gap \(LabText.duration(maintenanceReturn.longestGap)), "
            + "\(maintenanceReturn.failedRequests) requests failed)")
        let record = probe.stop()
        let totals = record.totals
        line(clock.now, "client: \(totals.sent) requests, \(totals.failed) failed")
        return Result(
            failover: failover, failback: failback, maintenance: maintenance, maintenanceReturn: maintenanceReturn,
            sent: totals.sent, failed: totals.failed)
    }

    /// Waits (bounded) until `node` answers the client after `instant`; when it first did.
    private func answer(
        from node: String, after instant: ContinuousClock.Instant, probe: LabProbe, lab: Lab, interrupt: LabInterrupt
    ) throws(LabError) -> ContinuousClock.Instant {
        _ = try interrupt.wait(.seconds(15), for: "the client being answered by \(node)") { () throws(LabError) -> Bool? in
            try lab.checkProcesses()
            guard let latest = probe.latestAnswer(), latest.node == node, latest.at >= instant else { return nil }
            return true
        }
        return probe.record().firstAnswer(from: node, after: instant) ?? ContinuousClock().now
    }
}
