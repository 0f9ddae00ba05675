import FloatIPChecks
import FloatIPCore

extension AgentStatus.TrackTarget {
    /// A target's last answer as status shows it, its age measured now.
    public init(_ state: TrackTargetState) {
        self.init(
            target: state.target, kind: state.kind, reachable: state.reachable, detail: state.detail,
            lastCheckedMs: state.checkedAt.map { (ContinuousClock.now - $0).milliseconds })
    }
}

/// The log line for a change of the tracking verdict (the `track` check's state).
public enum TrackVerdictLine {
    /// `tracking: reachable → unreachable: …; every group goes to fault`, or nil when `check` is not tracking's.
    public static func line(
        _ track: TrackConfig?, check: String, from: Hysteresis.State, to: Hysteresis.State, detail: String
    ) -> String? {
        guard track != nil, check == TrackConfig.checkName else { return nil }
        let consequence = switch to {
        case .failing: "no tracked address answers; every group goes to fault: this node releases what it holds "
            + "and does not claim"
        case .passing: "a tracked address answers; the groups may be held again"
        case .unknown: "no verdict yet"
        }
        return "tracking: \(verdict(from)) → \(verdict(to)): \(consequence) (\(detail))"
    }

    /// `reachable`, `unreachable`, `unknown`: the verdict for a check state.
    public static func verdict(_ state: Hysteresis.State) -> String {
        switch state {
        case .passing: "reachable"
        case .failing: "unreachable"
        case .unknown: "unknown"
        }
    }
}
