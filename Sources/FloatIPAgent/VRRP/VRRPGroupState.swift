import FloatIPCore
import FloatIPLinux

/// A `protocol: vrrp` group on the agent (docs/vrrp.md): its speaker, which runs the virtual router
/// on a thread of its own, and the role status shows. The agent keeps one per VRRP group.
struct VRRPGroupState {
    let speaker: VRRPSpeaker
    var role: Role = .starting
    var reason = "waiting for the checks' first results"
    /// Why the router is suspended (a required check failing, maintenance), as the role and reason
    /// it shows; nil while it runs.
    var suspension: (role: Role, reason: String)? = (.starting, "waiting for the checks' first results")
    /// The mover operations' term: one more per claim.
    var epoch: UInt64 = 0
}
