import FloatIPCore

/// `/metrics` in the Prometheus text exposition format (version 0.0.4), written by hand from the
/// status snapshot and `AgentMetrics`: the values are snapshots of counters the agent already
/// keeps, which a metrics library's increment-only counters would have to mirror.
public enum MetricsExposition {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every metric, with `# HELP` and `# TYPE`, labels escaped.
    public static func render(_ status: AgentStatus, _ measured: AgentMetrics.Snapshot) -> String {
        var out = Output()
        let build = status.build ?? BuildInfo.current
        out.family("floatip_build_info", "gauge", "Always 1; the labels say which build of floatip is running.")
        out.sample("floatip_build_info", ["version": build.version, "commit": build.commit], 1)
        out.family("floatip_group_role", "gauge", "1 for the role this node has in the group, 0 for the others.")
        for group in status.groups {
            for role in Role.allCases {
                out.sample("floatip_group_role", ["group": group.name, "role": "\(role)"], group.role == "\(role)" ? 1 : 0)
            }
        }
        out.family("floatip_group_term", "gauge", "The group's claim term as this node knows it.")
        for group in status.groups { out.sample("floatip_group_term", ["group": group.name], Double(group.term)) }
        out.family("floatip_group_priority", "gauge", "This node's effective priority for the group.")
        for group in status.groups { out.sample("floatip_group_priority", ["group": group.name], Double(group.priority)) }
        out.family("floatip_maintenance", "gauge", "1 while the whole node is in operator maintenance.")
        out.sample("floatip_maintenance", [:], status.maintenance ? 1 : 0)
        out.family("floatip_transitions_total", "counter", "Role changes on this node since it started.")
        out.sample("floatip_transitions_total", [:], Double(status.counters.transitions))
        out.family("floatip_stalls_total", "counter", "Times this agent found it had been stalled (stopped, paused, starved).")
        out.sample("floatip_stalls_total", [:], Double(status.counters.stalls ?? 0))
        out.family("floatip_heartbeats_sent_total", "counter", "Heartbeat datagrams sent (one per peer each).")
        out.sample("floatip_heartbeats_sent_total", [:], Double(status.counters.sent))
        out.family("floatip_heartbeats_received_total", "counter", "Heartbeat datagrams accepted.")
        out.sample("floatip_heartbeats_received_total", [:], Double(status.counters.received))
        out.family("floatip_heartbeats_rejected_total", "counter", "Datagrams dropped, by reason.")
        for (reason, count) in status.counters.rejected.sorted(by: { $0.key < $1.key }) {
            out.sample("floatip_heartbeats_rejected_total", ["reason": reason], Double(count))
        }
        let vrrp = status.groups.filter { $0.vrrpDropped != nil }
        if !vrrp.isEmpty {
            out.family("floatip_vrrp_dropped_total", "counter", "A VRRP group's advertisements dropped, by reason.")
            for group in vrrp {
                for (reason, count) in (group.vrrpDropped ?? [:]).sorted(by: { $0.key < $1.key }) {
                    out.sample("floatip_vrrp_dropped_total", ["group": group.name, "reason": reason], Double(count))
                }
            }
        }
        out.family("floatip_peer_up", "gauge", "1 while the peer is heard within the dead interval.")
        for peer in status.peers { out.sample("floatip_peer_up", ["peer": peer.name], peer.state == "alive" ? 1 : 0) }
        out.family("floatip_peer_last_heard_seconds", "gauge", "Seconds since the peer's last accepted datagram.")
        for peer in status.peers {
            if let age = peer.lastHeardMs { out.sample("floatip_peer_last_heard_seconds", ["peer": peer.name], age / 1000) }
        }
        out.family("floatip_check_state", "gauge", "1 for the check's current state, 0 for the others.")
        for check in status.checks {
            for state in ["passing", "failing", "unknown"] {
                out.sample("floatip_check_state", ["check": check.name, "state": state], check.state == state ? 1 : 0)
            }
        }
        if let tracking = status.tracking {
            out.family("floatip_track_reachable", "gauge",
                "1 while some tracked address answers (track:), 0 while none does (every group in fault) or before the first verdict.")
            out.sample("floatip_track_reachable", [:], tracking.verdict == "reachable" ? 1 : 0)
            out.family("floatip_track_target_up", "gauge", "1 if the tracked target answered in the last round.")
            for target in tracking.targets {
                out.sample("floatip_track_target_up", ["target": target.target, "kind": target.kind],
                           target.reachable == true ? 1 : 0)
            }
        }
        out.family("floatip_check_results_total", "counter", "Check runs, by outcome.")
        for (check, outcomes) in measured.checkResults.sorted(by: { $0.key < $1.key }) {
            for (outcome, count) in outcomes.sorted(by: { $0.key < $1.key }) {
                out.sample("floatip_check_results_total", ["check": check, "result": outcome], Double(count))
            }
        }
        out.family("floatip_check_duration_seconds", "histogram", "How long check runs took.")
        for (check, histogram) in measured.checkDurations.sorted(by: { $0.key < $1.key }) {
            out.histogram("floatip_check_duration_seconds", ["check": check], histogram)
        }
        out.family("floatip_mover_duration_seconds", "histogram", "How long claims, releases and announces took.")
        for (key, histogram) in measured.moverDurations.sorted(by: { $0.key < $1.key }) {
            out.histogram("floatip_mover_duration_seconds", ["group": key.group, "operation": key.operation], histogram)
        }
        out.family("floatip_mover_failures_total", "counter", "Mover operations that failed.")
        for (key, count) in measured.moverFailures.sorted(by: { $0.key < $1.key }) {
            out.sample("floatip_mover_failures_total", ["group": key.group, "operation": key.operation], Double(count))
        }
        renderProviders(status, into: &out)
        return out.text
    }

    /// Per-mover telemetry of the groups whose mover talks to a provider (cloud movers).
    private static func renderProviders(_ status: AgentStatus, into out: inout Output) {
        let movers = status.groups.compactMap { group in group.mover.map { (group.name, $0) } }
        guard !movers.isEmpty else { return }
        out.family("floatip_mover_provider_holds_here", "gauge",
            "1 when the provider last reported this node as the group's holder, 0 when another or nobody.")
        for (group, mover) in movers {
            if let here = mover.providerHoldsHere {
                out.sample("floatip_mover_provider_holds_here", ["group": group, "kind": mover.kind], here ? 1 : 0)
            }
        }
        out.family("floatip_mover_last_call_seconds", "gauge", "How long the mover's last provider call took.")
        for (group, mover) in movers {
            if let latency = mover.latencyMs {
                out.sample("floatip_mover_last_call_seconds", ["group": group, "kind": mover.kind], latency / 1000)
            }
        }
        let counters: [(String, String, KeyPath<MoverTelemetry, Int>)] = [
            ("floatip_mover_api_calls_total", "Provider API calls made (each attempt counts).", \.calls),
            ("floatip_mover_api_retries_total", "Provider API calls that were retried (429, 5xx, timeouts).", \.retries),
            ("floatip_mover_api_failures_total", "Provider operations that failed after retries.", \.failures),
            ("floatip_mover_drifts_total", "Times the provider routed a held group elsewhere (re-claimed).", \.drifts),
        ]
        for (name, help, field) in counters {
            out.family(name, "counter", help)
            for (group, mover) in movers { out.sample(name, ["group": group, "kind": mover.kind], Double(mover[keyPath: field])) }
        }
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"").replacingOccurrences("\n", "\\n")
    }

    /// A sample value: integers without a fraction, others in Swift's shortest exact form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private struct Output {
        var text = ""

        mutating func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }

        mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
            text += name + Self.labels(Self.sorted(labels)) + " " + MetricsExposition.format(value) + "\n"
        }

        mutating func histogram(_ name: String, _ labels: [String: String], _ histogram: AgentMetrics.Histogram) {
            let base = Self.sorted(labels)
            for (index, bound) in AgentMetrics.buckets.enumerated() {
                let le = ("le", MetricsExposition.format(bound))
                text += "\(name)_bucket\(Self.labels(base + [le])) \(histogram.cumulative[index])\n"
            }
            text += "\(name)_bucket\(Self.labels(base + [("le", "+Inf")])) \(histogram.count)\n"
            text += "\(name)_sum\(Self.labels(base)) \(MetricsExposition.format(histogram.sum))\n"
            text += "\(name)_count\(Self.labels(base)) \(histogram.count)\n"
        }

        static func sorted(_ labels: [String: String]) -> [(String, String)] {
            labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }

        static func labels(_ pairs: [(String, String)]) -> String {
            pairs.isEmpty ? "" : "{" + pairs.map { "\($0.0)=\"\(MetricsExposition.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
