import FloatIPCore

/// How one hook of one role change went, for the agent's log and event log.
public struct HookReport: Sendable, Equatable, CustomStringConvertible {
    /// `on_holder`, `on_standby`, `on_fault`, `on_maintenance`, `notify` or `webhook`.
    public var hook: String
    public var group: String
    /// The role the group changed to.
    public var role: String
    /// Whether the hook succeeded (exit status 0; for the webhook, a 2xx answer).
    public var succeeded: Bool
    /// What happened: `exit 0`, `exit 3`, `killed at the timeout (5 s)`, `HTTP 200`, the error.
    public var outcome: String
    /// The last lines the program wrote (standard output and error together); empty for the webhook.
    public var output: [String]
    /// How long it ran.
    public var took: Duration

    public init(
        hook: String, group: String, role: String, succeeded: Bool, outcome: String, output: [String] = [],
        took: Duration
    ) {
        self.hook = hook
        self.group = group
        self.role = role
        self.succeeded = succeeded
        self.outcome = outcome
        self.output = output
        self.took = took
    }

    /// `hook on_holder of web (holder): exit 0 in 12ms | last line`.
    public var description: String {
        "hook \(hook) of \(group) (\(role)): \(outcome) in \(took.shortDescription)"
            + (output.isEmpty ? "" : ": " + output.joined(separator: " | "))
    }
}
