/// Turns a stream of check results into a state that changes only after `rise` passes or
/// `fall` failures in a row. The first result sets the state at once, so a node does not wait
/// `rise` intervals after start before it may claim.
public struct Hysteresis: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// No result yet: a required check in this state keeps the node from claiming.
        case unknown
        case passing
        case failing
    }

    public let rise: Int
    public let fall: Int
    public private(set) var state: State = .unknown
    /// Results in a row that disagree with `state`.
    public private(set) var streak = 0

    public init(rise: Int, fall: Int) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
    }

    /// Starts in `state` (a check changed by a reload keeps the state it had; rise and fall count
    /// from there).
    public init(rise: Int, fall: Int, state: State) {
        self.init(rise: rise, fall: fall)
        self.state = state
    }

    /// Records one result; returns true when the state changed.
    @discardableResult
    public mutating func record(passed: Bool) -> Bool {
        let observed: State = passed ? .passing : .failing
        if state == .unknown || observed == state {
            let changed = state != observed
            state = observed
            streak = 0
            return changed
        }
        streak += 1
        guard streak >= (passed ? rise : fall) else { return false }
        state = observed
        streak = 0
        return true
    }
}
