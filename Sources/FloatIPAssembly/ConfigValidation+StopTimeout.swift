import FloatIPCore

extension ConfigValidation {
    /// The packaged unit's `TimeoutStopSec=`: systemd kills the agent (SIGKILL) after this long.
    static let unitStopTimeout: Duration = .seconds(30)

    /// A clean stop that may outlast the unit's stop timeout: systemd would kill the agent in the
    /// middle of a handover (on `systemctl stop`, restart and every package upgrade), and the
    /// address would stay on this node until it expires. Nil when the stop fits.
    static func stopTimeoutWarning(_ config: ClusterConfig) -> String? {
        let bound = AssembledAgent.stopBound(config)
        guard bound > unitStopTimeout else { return nil }
        let seconds = Int(bound.components.seconds) + (bound.components.attoseconds > 0 ? 1 : 0)
        return "a clean stop may take up to \(seconds) s (handover_timeout + the longest hook timeout + 7 s), "
            + "longer than the packaged unit's TimeoutStopSec=30: systemd would kill the agent in the middle of a "
            + "handover. Under systemd, raise it: `systemctl edit floatip`, then [Service] TimeoutStopSec=\(seconds + 5)"
    }
}
