import FloatIPCore
import Foundation

/// What one role change of one group runs: the `on_<role>` command, the notify script and the webhook,
/// each with what it is told. Pure: built from the config and the transition, run by `HookRunner`.
public struct HookCall: Sendable, Equatable {
    /// A program to run: `on_<role>` or `notify`.
    public struct Program: Sendable, Equatable {
        /// `on_holder`, …, or `notify`.
        public var hook: String
        /// argv, the program's absolute path first.
        public var argv: [String]
    }

    public var group: String
    public var role: Role
    public var previousRole: Role
    /// Variables every program of the call gets (on top of `PATH`, `LANG`, `LC_*` and `TZ`: nothing else of the
    /// agent's environment reaches a hook; see `ProcessGroupRun.childEnvironment`).
    public var environment: [String: String]
    public var programs: [Program]
    /// Where to POST `webhookBody`, if anywhere.
    public var webhook: String?
    /// The webhook's JSON body.
    public var webhookBody: [UInt8]
    /// Each hook's timeout.
    public var timeout: Duration

    /// The hooks `group`'s config says to run for `transition` on node `node`; nil when the role did not
    /// change (a new reason only) or the group has no hooks. `time` goes into the webhook's body.
    public static func make(group: GroupConfig, node: String, transition: Transition, time: Date = Date()) -> HookCall? {
        guard transition.from != transition.to, !group.hooks.isEmpty else { return nil }
        let hooks = group.hooks
        let addresses = group.addresses.map { "\($0.address)" }
        let environment = [
            "FLOATIP_GROUP": group.name,
            "FLOATIP_ROLE": "\(transition.to)",
            "FLOATIP_PREVIOUS_ROLE": "\(transition.from)",
            "FLOATIP_ADDRESSES": addresses.joined(separator: " "),
            "FLOATIP_REASON": transition.reason,
            "FLOATIP_NODE": node,
        ]
        var programs: [Program] = []
        if let command = hooks.command(for: transition.to) {
            programs.append(Program(hook: "on_\(transition.to)", argv: command))
        }
        if let notify = hooks.notify {
            // keepalived's order: `GROUP|INSTANCE name STATE priority`.
            programs.append(Program(
                hook: "notify",
                argv: [notify, "GROUP", group.name, KeepalivedState(transition.to).rawValue, "\(group.priority)"]))
        }
        let body = WebhookBody(
            node: node, group: group.name, role: "\(transition.to)", previousRole: "\(transition.from)",
            reason: transition.reason, addresses: addresses, keepalivedState: KeepalivedState(transition.to).rawValue,
            priority: group.priority,
            time: ISO8601DateFormatter.string(
                from: time, timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = (try? encoder.encode(body)).map { Array($0) } ?? []
        return HookCall(
            group: group.name, role: transition.to, previousRole: transition.from, environment: environment,
            programs: programs, webhook: hooks.webhook, webhookBody: encoded, timeout: hooks.timeout)
    }
}

/// The webhook's JSON: `{"addresses":[…],"group":"web","keepalived_state":"MASTER","node":"web1",
/// "previous_role":"standby","priority":150,"reason":"…","role":"holder","time":"2025-…Z"}`.
struct WebhookBody: Codable, Sendable {
    var node: String
    var group: String
    var role: String
    var previousRole: String
    var reason: String
    var addresses: [String]
    var keepalivedState: String
    var priority: Int
    var time: String

    enum CodingKeys: String, CodingKey {
        case node, group, role, reason, addresses, priority, time
        case previousRole = "previous_role"
        case keepalivedState = "keepalived_state"
    }
}
