/// `hooks:`: what the agent runs when a group's role changes on this node (docs/config.md, "Hooks").
///
/// Set at the top level (defaults for every group) and per group; a group's key replaces the
/// top-level one of the same name, keys it does not set are inherited. Programs are argument lists
/// (an absolute path first) and run without a shell.
public struct HooksConfig: Sendable, Equatable {
    /// `on_holder`: run when this node becomes the group's holder.
    public var onHolder: [String]?
    /// `on_standby`: run when this node becomes standby.
    public var onStandby: [String]?
    /// `on_fault`: run when this node enters fault for the group.
    public var onFault: [String]?
    /// `on_maintenance`: run when this node enters maintenance for the group.
    public var onMaintenance: [String]?
    /// `notify`: a keepalived-style notify script, run as `SCRIPT GROUP <group> <STATE> <priority>`.
    public var notify: String?
    /// `webhook`: an http or https URL that gets a JSON POST on every role change.
    public var webhook: String?
    /// `timeout`: each hook is killed (its whole process group) after this long. Default 5 s.
    public var timeout: Duration

    /// The default `timeout`.
    public static let defaultTimeout: Duration = .seconds(5)
    /// The shortest and longest `timeout` allowed.
    public static let timeoutRange: ClosedRange<Duration> = .milliseconds(100) ... .seconds(300)

    public init(
        onHolder: [String]? = nil, onStandby: [String]? = nil, onFault: [String]? = nil,
        onMaintenance: [String]? = nil, notify: String? = nil, webhook: String? = nil,
        timeout: Duration = HooksConfig.defaultTimeout
    ) {
        self.onHolder = onHolder
        self.onStandby = onStandby
        self.onFault = onFault
        self.onMaintenance = onMaintenance
        self.notify = notify
        self.webhook = webhook
        self.timeout = timeout
    }

    /// No hooks at all.
    public static let none = HooksConfig()

    /// Whether any hook is configured.
    public var isEmpty: Bool {
        onHolder == nil && onStandby == nil && onFault == nil && onMaintenance == nil && notify == nil
            && webhook == nil
    }

    /// The `on_<role>` command for entering `role`; nil for `starting` (no hook) or when none is set.
    public func command(for role: Role) -> [String]? {
        switch role {
        case .holder: onHolder
        case .standby: onStandby
        case .fault: onFault
        case .maintenance: onMaintenance
        case .starting: nil
        }
    }
}
