import FloatIPCore

/// What the agent knows of one `mode: anycast` group: its role as status shows it, and the mover
/// operations' term.
struct AnycastGroupState {
    var role: Role = .starting
    var reason = "waiting for the checks' first results"
    /// One more per announcement.
    var epoch: UInt64 = 0
}
