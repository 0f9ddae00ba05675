/// One check's current state, as the check runner's hysteresis sees it.
public struct CheckState: Sendable, Equatable {
    public var config: CheckConfig
    public var state: Hysteresis.State
    /// The last result's detail (`HTTP 503 from …`).
    public var detail: String
    /// Results in a row, since the state last changed, that disagree with it (`Hysteresis.streak`): a
    /// failing check's passes on the way to `rise`.
    public var streak: Int

    public init(config: CheckConfig, state: Hysteresis.State, detail: String = "", streak: Int = 0) {
        self.config = config
        self.state = state
        self.detail = detail
        self.streak = streak
    }
}

/// Folds the checks that apply to a group into the node's condition for that group.
public enum HealthSummary {
    /// A required check that fails (or has not reported) makes the node unhealthy; a failing
    /// weighted check adds its weight to the group's priority. Tracking (`track:`, kind `track`) applies
    /// to every group, and the checks on a group's tracked interface to that group, whatever the group's
    /// `checks:` list says (`GroupConfig.uses`).
    public static func condition(for group: GroupConfig, checks: [CheckState], maintenance: Bool) -> LocalCondition {
        let relevant = checks.filter { group.uses($0.config) }
        var priority = group.priority
        var problems: [String] = []
        for check in relevant {
            switch (check.config.effect, check.state) {
            case (.required, .failing) where check.config.kind == .track:
                // The verdict changes only after rise/fall rounds; the detail is the last round's.
                problems.append("tracking: no tracked address reachable" + (check.detail.isEmpty ? "" : " (last round: \(check.detail))"))
            case (.required, .unknown) where check.config.kind == .track:
                problems.append("tracking: no tracked address has answered yet")
            case (.required, .failing) where check.streak > 0:
                // Passing again but not yet `rise` times in a row. No count in the text: it would make every
                // pass a new reason.
                problems.append("required check \(check.config.name) failing until \(check.config.rise) passes in "
                    + "a row" + (check.detail.isEmpty ? "" : " (last: \(check.detail))"))
            case (.required, .failing):
                problems.append("required check \(check.config.name) failing" + (check.detail.isEmpty ? "" : ": \(check.detail)"))
            case (.required, .unknown):
                problems.append("required check \(check.config.name) has not reported yet")
            case (.weight(let weight), .failing):
                priority += weight
            default:
                break
            }
        }
        return LocalCondition(
            healthy: problems.isEmpty, faultReason: problems.isEmpty ? nil : problems.joined(separator: "; "),
            priority: min(max(priority, 0), 255), maintenance: maintenance)
    }
}
