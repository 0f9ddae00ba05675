import FloatIPCore

/// The state a keepalived notify script is told (`SCRIPT GROUP <group> <STATE> <priority>`), for a role.
///
/// keepalived's states are MASTER, BACKUP, FAULT and STOP. `holder` is MASTER, `standby` and `starting`
/// are BACKUP, `fault` is FAULT. `maintenance` is BACKUP: the node gave the group away on purpose and is
/// healthy and reachable, which is what keepalived reports for a node whose priority was lowered; FAULT
/// would wake whoever pages on it, and STOP means keepalived itself is stopping, which an agent in
/// maintenance is not. A script that must tell maintenance apart reads `FLOATIP_ROLE`.
public enum KeepalivedState: String, Sendable, Equatable {
    case master = "MASTER"
    case backup = "BACKUP"
    case fault = "FAULT"

    /// The state keepalived would report for `role`.
    public init(_ role: Role) {
        switch role {
        case .holder: self = .master
        case .standby, .starting, .maintenance: self = .backup
        case .fault: self = .fault
        }
    }
}
