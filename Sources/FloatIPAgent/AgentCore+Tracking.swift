import FloatIPCore

extension AgentCore {
    /// Tells status where to read the `track:` targets' last answers from.
    public func setTrackTargets(_ provider: @escaping @Sendable () -> [AgentStatus.TrackTarget]) {
        trackTargets = provider
    }

    /// The tracking verdict (the `track` check's state) and the targets; nil without `track:`.
    func tracking(_ checks: [AgentStatus.Check]) -> AgentStatus.Tracking? {
        guard config.track != nil else { return nil }
        let state = checks.first { $0.kind == CheckKind.track.rawValue }.flatMap { Hysteresis.State(rawValue: $0.state) }
        let verdict = TrackVerdictLine.verdict(state ?? .unknown)
        return AgentStatus.Tracking(verdict: verdict, targets: trackTargets())
    }
}
