import FloatIPCore
import FloatIPLinux
import Foundation
import Synchronization

/// Runs the configured hooks (`hooks:` in the config) on every role change of a group on this node.
///
/// `handle(_:)` only puts the change in the group's queue and returns at once, so the agent's actor,
/// and with it failover, never waits for a hook. `run()` works the queues: one per group, in order,
/// groups independent of each other. For each change it starts the `on_<role>` command, the notify
/// script and the webhook together and waits for all three before the group's next change; each is
/// cut off at the group's `hooks.timeout` (a program's whole process group: SIGTERM, then SIGKILL
/// 200 ms later; see `ProcessGroupRun`). Every hook's outcome, with its output's last lines, goes to
/// `onReport`.
///
/// A queue holds at most `queueLimit` waiting changes; past that the oldest is skipped (and reported),
/// so a flapping group with a hanging hook cannot grow memory without bound.
public final class HookRunner: Sendable {
    /// How many role changes of one group may wait for their hooks.
    public static let queueLimit = 32
    /// How many of a program's last output lines a report carries.
    public static let outputLines = 5

    private let node: String
    private let onReport: @Sendable (HookReport) -> Void
    /// The groups with hooks, and each one's queue (a reload adds groups: `update`).
    private let table: Mutex<(groups: [String: GroupConfig], queues: [String: AsyncStream<HookCall>.Continuation])>
    /// Queues made after `run()` began, for it to work too.
    private let added: (stream: AsyncStream<AsyncStream<HookCall>>, continuation: AsyncStream<AsyncStream<HookCall>>.Continuation)

    /// A runner for node `node`'s `groups` (their `hooks`); `onReport` hears how each hook went.
    public init(node: String, groups: [GroupConfig], onReport: @escaping @Sendable (HookReport) -> Void) {
        self.node = node
        self.onReport = onReport
        table = Mutex(([:], [:]))
        added = AsyncStream.makeStream()
        update(groups)
    }

    /// Takes the groups of a reloaded config: from now on each change runs the hooks its group has
    /// now. A group new to the hooks gets a queue of its own; one whose hooks are gone keeps its
    /// queue (idle) so that hooks already queued still run.
    public func update(_ groups: [GroupConfig]) {
        table.withLock { table in
            table.groups = [:]
            for group in groups where !group.hooks.isEmpty {
                table.groups[group.name] = group
                guard table.queues[group.name] == nil else { continue }
                let (stream, continuation) = AsyncStream.makeStream(
                    of: HookCall.self, bufferingPolicy: .bufferingNewest(Self.queueLimit))
                table.queues[group.name] = continuation
                added.continuation.yield(stream)
            }
        }
    }

    /// Whether any group has hooks.
    public var isEmpty: Bool { table.withLock { $0.groups.isEmpty } }

    /// Queues the hooks of a role change (`.transition` with `from != to`); anything else is ignored.
    /// Never blocks.
    public func handle(_ event: AgentEvent) {
        guard case .transition(let transition) = event else { return }
        enqueue(transition)
    }

    /// Queues the hooks `transition` calls for, if any. Never blocks.
    public func enqueue(_ transition: Transition) {
        let (group, queue) = table.withLock { ($0.groups[transition.group], $0.queues[transition.group]) }
        guard let group, let queue, let call = HookCall.make(group: group, node: node, transition: transition)
        else { return }
        if case .dropped(let skipped) = queue.yield(call) {
            onReport(HookReport(
                hook: "queue", group: skipped.group, role: "\(skipped.role)", succeeded: false,
                outcome: "more than \(Self.queueLimit) role changes wait for their hooks; the hooks of "
                    + "\(skipped.previousRole) → \(skipped.role) are skipped", took: .zero))
        }
    }

    /// Works the queues until `finish()` was called and they are empty, or the task is cancelled (a
    /// hook running then is cut off as at its timeout).
    public func run() async {
        await withTaskGroup(of: Void.self) { tasks in
            for await stream in added.stream {
                let onReport = self.onReport
                tasks.addTask {
                    for await call in stream {
                        await Self.perform(call, onReport: onReport)
                    }
                }
            }
        }
    }

    /// Takes no more changes; `run()` returns once the queued ones are done.
    public func finish() {
        table.withLock { table in
            for queue in table.queues.values { queue.finish() }
        }
        added.continuation.finish()
    }

    /// Runs one change's hooks together and reports each.
    static func perform(_ call: HookCall, onReport: @escaping @Sendable (HookReport) -> Void) async {
        await withTaskGroup(of: HookReport.self) { tasks in
            for program in call.programs {
                tasks.addTask { await Self.runProgram(program, of: call) }
            }
            if let url = call.webhook {
                tasks.addTask {
                    await WebhookPost.send(
                        url: url, body: call.webhookBody, timeout: call.timeout, group: call.group,
                        role: "\(call.role)")
                }
            }
            for await report in tasks { onReport(report) }
        }
    }

    /// Runs one program in its own process group and says how it ended.
    static func runProgram(_ program: HookCall.Program, of call: HookCall) async -> HookReport {
        let started = ContinuousClock.now
        let outcome = await ProcessGroupRun(
            path: program.argv[0], argv: program.argv, timeout: call.timeout, environment: call.environment
        ).run()
        let took = ContinuousClock.now - started
        let lines = OutputTail.lastLines(of: outcome.output, count: outputLines)
        let succeeded = outcome.ending == .exited(0)
        let text = outcome.endingText(program: program.argv[0], timeout: call.timeout)
        return HookReport(
            hook: program.hook, group: call.group, role: "\(call.role)", succeeded: succeeded, outcome: text,
            output: lines, took: took)
    }
}
