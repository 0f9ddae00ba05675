import FloatIPAgent
import FloatIPChecks
import FloatIPCore

extension AgentAssembly {
    /// A probe for each of `checks` (of `cluster`; the secret for `track:`'s witness).
    static func makeProbes(_ checks: [CheckConfig], of cluster: ClusterConfig, secret: [UInt8]) throws -> [any CheckProbe] {
        let context = CheckContext(
            witness: WitnessIdentity(secret: secret, cluster: cluster.cluster, node: cluster.node.name))
        return try checks.map { try CheckProbes.make($0, context: context) }
    }

    /// The checks as a service: a probe per check (and `track:`), their state changes logged and
    /// written to the event log, their results counted in the metrics.
    static func makeChecks(
        _ cluster: ClusterConfig, secret: [UInt8], agent: AgentCore, log: AgentLog, eventLog: EventLog?,
        metrics: AgentMetrics
    ) async throws -> CheckService {
        let probes = try makeProbes(cluster.runnableChecks, of: cluster, secret: secret)
        if let track = probes.lazy.compactMap({ $0 as? TrackProbe }).first {
            await agent.setTrackTargets { track.targets().map(AgentStatus.TrackTarget.init) }
        }
        return CheckService(
            cluster: cluster, scheduler: CheckScheduler(probes: probes), probes: probes, agent: agent,
            onEvent: { event in
                switch event {
                case .changed(let name, let from, let to, let detail):
                    log.note(
                        TrackVerdictLine.line(cluster.track, check: name, from: from, to: to, detail: detail)
                            ?? "check \(name): \(from) → \(to): \(detail)",
                        level: to == .failing ? .warning : .info)
                    eventLog?.checkChanged(name: name, from: from.rawValue, to: to.rawValue, detail: detail)
                case .result(let name, let result, _):
                    metrics.observeCheck(name: name, passed: result.passed, duration: result.duration)
                }
            })
    }
}
