import FloatIPCore
import FloatIPLinux
import Synchronization

/// `kind: interface`: an interface is up (IFF_UP) and running (carrier, operational state up).
///
/// It does not poll. At its first run the probe subscribes a `NetlinkWatcher`, then reads the
/// interface once (`RouteNetlink.link(named:)`), then follows link events (and the watcher's
/// snapshots after lost events); every run answers from the latest state at once, and an event
/// that turns the answer from failing to passing or back wakes the scheduler (`notifyChanges`), so
/// the check runs at once rather than at its next deadline. The watcher stops when the probe is
/// released. A watcher that cannot be set up fails the run with the reason and is tried again at
/// the next run.
final class InterfaceProbe: CheckProbe {
    let check: CheckConfig
    let namespace: String?
    private let link: LinkBoard
    private let watcher = Mutex<NetlinkWatcher?>(nil)

    init(check: CheckConfig, context: CheckContext) throws {
        self.check = check
        self.namespace = context.namespace
        self.link = LinkBoard(name: check.target)
    }

    deinit { watcher.withLock { $0?.stop() } }

    func notifyChanges(_ wake: @escaping @Sendable () -> Void) -> Bool {
        link.onChange(wake)
        return true
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        if watcher.withLock({ $0 == nil }) {
            let namespace = namespace
            let name = check.target
            let setup = await OffPoolCall.run(name: "floatip-check", timeout: check.timeout) {
                Result { () throws -> (NetlinkWatcher, LinkInfo?) in
                    // Subscribe first: events from here on queue up, so none falls between the read and the stream.
                    let watcher = try NetlinkWatcher(namespace: namespace, addresses: false)
                    do {
                        return (watcher, try RouteNetlink(namespace: namespace).link(named: name))
                    } catch {
                        watcher.stop()
                        throw error
                    }
                }
            }
            switch setup {
            case nil:
                return .since(start, passed: false, "timeout: netlink did not answer within "
                    + check.timeout.shortDescription)
            case .failure(let error):
                return .since(start, passed: false, "cannot watch links: \(error)")
            case .success(let (started, initial)):
                link.set(initial)
                let events = started.events()
                let board = link
                watcher.withLock { $0 = started }
                Task.detached { for await event in events { board.apply(event) } }
            }
        }
        let verdict = link.verdict()
        return .since(start, passed: verdict.passed, verdict.detail)
    }
}

/// The watched interface's latest state, written by the event task and read by runs.
final class LinkBoard: Sendable {
    let name: String
    private let current = Mutex<LinkInfo?>(nil)
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)

    init(name: String) { self.name = name }

    /// `wake` is called after an event that changes the verdict.
    func onChange(_ wake: @escaping @Sendable () -> Void) { self.wake.withLock { $0 = wake } }

    func set(_ link: LinkInfo?) { current.withLock { $0 = link } }

    /// Applies one watcher event (idempotent; follows renames by index); wakes the scheduler when
    /// the verdict turned between passing and failing. Not on a new detail alone: `ip link set up`
    /// brings "up, no carrier" and then "up and running" within a millisecond, and two wakes would
    /// be two runs that both read "running", two passes towards `rise` where the link gave one.
    func apply(_ event: NetlinkEvent) {
        let before = verdict().passed
        update(event)
        if verdict().passed != before { wake.withLock { $0 }?() }
    }

    private func update(_ event: NetlinkEvent) {
        current.withLock { current in
            switch event {
            case .linkChanged(let link):
                if link.name == name {
                    current = link
                } else if current?.index == link.index {
                    current = nil  // renamed away
                }
            case .linkRemoved(let index):
                if current?.index == index { current = nil }
            case .resynced(_, let links):
                current = links.first { $0.name == name }
            case .addressAdded, .addressRemoved:
                break
            }
        }
    }

    func verdict() -> Verdict {
        guard let link = current.withLock({ $0 }) else {
            return Verdict(passed: false, detail: "no interface named \(name)")
        }
        if !link.isUp { return Verdict(passed: false, detail: "\(name) is down") }
        if !link.isRunning { return Verdict(passed: false, detail: "\(name) is up but not running (no carrier)") }
        return Verdict(passed: true, detail: "\(name) is up and running")
    }

    /// What a run answers now.
    struct Verdict: Equatable {
        var passed: Bool
        var detail: String
    }
}
