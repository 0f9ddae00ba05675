import FloatIPCore
import FloatIPLinux
import Synchronization

/// `kind: interface`: an interface is up (IFF_UP) and running (carrier, operational state up).
///
/// It does not poll. At its first run the probe subscribes a `NetlinkWatcher`, then reads the
/// interface once (`RouteNetlink.link(named:)`), then follows link events (and the watcher's
/// snapshots after lost events); every run answers from the latest state at once. The watcher
/// stops when the probe is released. A watcher that cannot be set up fails the run with the reason
/// and is tried again at the next run.
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

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        if watcher.withLock({ $0 == nil }) {
            let namespace = namespace
            let name = check.target
            let setup = await BlockingCall.run(timeout: check.timeout) {
                Result { () throws -> (NetlinkWatcher, LinkInfo?) in
                    // Subscribe first: events from here on queue up, so none falls between the read and the stream.
                    let watcher = try NetlinkWatcher(namespace: namespace)
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
        let (passed, detail) = link.verdict()
        return .since(start, passed: passed, detail)
    }
}

/// The watched interface's latest state, written by the event task and read by runs.
final class LinkBoard: Sendable {
    let name: String
    private let current = Mutex<LinkInfo?>(nil)

    init(name: String) { self.name = name }

    func set(_ link: LinkInfo?) { current.withLock { $0 = link } }

    /// Applies one watcher event (idempotent; follows renames by index).
    func apply(_ event: NetlinkEvent) {
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

    func verdict() -> (Bool, String) {
        guard let link = current.withLock({ $0 }) else { return (false, "no interface named \(name)") }
        if !link.isUp { return (false, "\(name) is down") }
        if !link.isRunning { return (false, "\(name) is up but not running (no carrier)") }
        return (true, "\(name) is up and running")
    }
}
