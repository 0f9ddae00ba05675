import CFloatIPLinux
import FloatIPBGP
import FloatIPCore
import Foundation
import Glibc
import Logging
import Synchronization

/// The node's BGP speaker: one session per router (`BGPSession`, pure) over its own TCP socket,
/// all on one thread asleep in `poll` until a socket speaks, a session's timer is due, or a group's
/// routes change. Every `bgp` group of the node shares it, so each router sees one session from
/// this node (two would collide: RFC 4271 §6.8) carrying the routes of every group held here.
public final class BGPSpeaker: Sendable {
    /// One router and how to speak to it.
    public struct Peer: Sendable, Equatable {
        public var settings: BGPPeerSettings
        public var session: BGPSessionConfig
        /// TCP-MD5 (RFC 2385), when set.
        public var password: [UInt8]?
        /// A BFD session with the peer (its discriminator set by the speaker), when set.
        public var bfd: BFDSettings?

        public init(settings: BGPPeerSettings, session: BGPSessionConfig, password: [UInt8]? = nil, bfd: BFDSettings? = nil) {
            self.settings = settings
            self.session = session
            self.password = password
            self.bfd = bfd
        }
    }

    /// What a session is doing, for status and logs.
    public struct PeerStatus: Sendable, Equatable {
        public var peer: BGPPeerSettings
        public var state: String
        /// The prefixes the router has from this node now.
        public var announced: [IPPrefix]
        /// Why the session last went down, if it did.
        public var lastDown: String?
        /// The BFD session's state (`up`, `down`, `init`), nil without BFD.
        public var bfd: String?
    }

    private struct Shared {
        /// Each group's routes, and the peers (by index) they go to.
        var routes: [String: (peers: Set<Int>, routes: [BGPRoute])] = [:]
        var version = 0
        /// The version every session has been given (its changes sent where established).
        var applied = 0
        var stopMessage: String?
        var finished = false
        var statuses: [PeerStatus] = []
    }

    public let peers: [Peer]
    private let shared = Mutex(Shared())
    private let wake: WakePipe
    let logger: Logger
    /// The BFD socket (UDP 3784 on `bfdAddress`), when a peer has BFD.
    let bfdSocket: BFDSocket?
    /// The network namespace the sessions' sockets are made in (nil: the agent's own; tests set one).
    let namespace: String?

    /// Starts the speaker's thread; it connects to every peer at once and keeps doing so.
    /// `bfdAddress`: this node's IPv4 address, where BFD listens (needed when a peer has BFD).
    /// `namespace`: where the sockets are made (nil: this process's namespace).
    public init(peers: [Peer], bfdAddress: IPAddress? = nil, namespace: String? = nil, logger: Logger) throws {
        self.peers = peers
        self.logger = logger
        self.namespace = namespace
        if peers.contains(where: { $0.bfd != nil }) {
            guard let bfdAddress, bfdAddress.isIPv4 else {
                throw SystemError(call: "BFD needs the node's IPv4 address (node.address)", errno: EAFNOSUPPORT)
            }
            bfdSocket = try BFDSocket(address: bfdAddress, namespace: namespace)
        } else {
            bfdSocket = nil
        }
        wake = try WakePipe()
        shared.withLock { $0.statuses = peers.map { PeerStatus(peer: $0.settings, state: "idle", announced: []) } }
        let thread = Thread { [self] in
            cfloatip_set_thread_name("floatip-bgp")
            run()
        }
        thread.start()
    }

    /// Sets the routes `group` announces to the peers at `indices` (empty: withdraws them), and
    /// returns once every established session has sent the change (at most `limit` later).
    public func advertise(_ routes: [BGPRoute], for group: String, to indices: Set<Int>, limit: Duration = .seconds(2)) async {
        let version = shared.withLock { state in
            if routes.isEmpty { state.routes[group] = nil } else { state.routes[group] = (indices, routes) }
            state.version += 1
            return state.version
        }
        wake.signal()
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end, !shared.withLock({ $0.applied >= version || $0.finished }) {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The routes `group` announces now, nil when none.
    public func routes(of group: String) -> [BGPRoute]? { shared.withLock { $0.routes[group]?.routes } }

    /// Each session's state now.
    public var statuses: [PeerStatus] { shared.withLock { $0.statuses } }

    /// Ends every session with Cease / Administrative Shutdown and `message` (the routers withdraw
    /// this node's routes at once), and the thread; waits for that at most `limit`.
    public func stop(message: String, limit: Duration = .seconds(2)) async {
        shared.withLock { if $0.stopMessage == nil { $0.stopMessage = message } }
        wake.signal()
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end, !shared.withLock({ $0.finished }) { try? await Task.sleep(for: .milliseconds(2)) }
    }

    // MARK: The thread

    struct Running {
        var session: BGPSession
        var connection: BGPConnection?
        var lastDown: String?
        var bfd: BFDSession?
    }

    private func run() {
        var sessions = peers.enumerated().map { index, peer in
            // Discriminators unique on the node: a random high half, the peer's index below.
            Running(session: BGPSession(config: peer.session),
                    bfd: peer.bfd.map { BFDSession(config: $0.session(discriminator: UInt32.random(in: 1...0xFFFF) << 16 | UInt32(index + 1))) })
        }
        var applied = 0
        for index in sessions.indices { perform(sessions[index].session.start(now: .monotonicNow), &sessions, index) }
        startBFD(&sessions)
        while true {
            let (routes, version, stopMessage) = shared.withLock { ($0.routes, $0.version, $0.stopMessage) }
            if let stopMessage {
                for index in sessions.indices { perform(sessions[index].session.stop(message: stopMessage, now: .monotonicNow), &sessions, index) }
                for index in sessions.indices { sessions[index].connection?.close() }
                publish(sessions, applied: version, finished: true)
                wake.close()
                return
            }
            if version != applied {
                for index in sessions.indices {
                    let wanted = routes.sorted { $0.key < $1.key }.filter { $0.value.peers.contains(index) }.flatMap(\.value.routes)
                    perform(sessions[index].session.advertise(Self.unique(wanted)), &sessions, index)
                }
                applied = version
            }
            let now = Instant.monotonicNow
            for index in sessions.indices { perform(sessions[index].session.tick(now: now), &sessions, index) }
            tickBFD(&sessions)
            publish(sessions, applied: applied, finished: false)
            wait(&sessions)
        }
    }

    /// Sleeps until a socket is ready, the next deadline, or a wake-up; handles what is ready.
    private func wait(_ sessions: inout [Running]) {
        var descriptors = [pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)]
        var owners: [Int] = [-1]
        if let bfdSocket {
            descriptors.append(pollfd(fd: bfdSocket.fd, events: Int16(POLLIN), revents: 0))
            owners.append(-2)
        }
        for (index, running) in sessions.enumerated() {
            guard let connection = running.connection else { continue }
            descriptors.append(pollfd(fd: connection.fd, events: Int16(connection.connecting ? POLLOUT : POLLIN), revents: 0))
            owners.append(index)
        }
        let now = Instant.monotonicNow
        let deadline = (sessions.compactMap(\.session.nextDeadline) + sessions.compactMap(\.bfd?.nextDeadline)).min()
        // Rounded up to the next millisecond, so a timer is never seen as due a moment too early.
        let timeout = deadline.map { Int32(clamping: max(0, ($0 - now).nanoseconds + 999_999) / 1_000_000) } ?? -1
        guard poll(&descriptors, nfds_t(descriptors.count), timeout) > 0 else { return }
        if descriptors[0].revents != 0 { wake.drain() }
        if let slot = owners.firstIndex(of: -2), descriptors[slot].revents != 0 { receiveBFD(&sessions) }
        for (slot, index) in owners.enumerated() where index >= 0 && descriptors[slot].revents != 0 {
            guard let connection = sessions[index].connection else { continue }
            if connection.connecting {
                if let problem = connection.connectResult() {
                    drop(&sessions, index, reason: "connect to \(peers[index].settings.address): \(problem)")
                } else {
                    sessions[index].connection?.connecting = false
                    perform(sessions[index].session.connected(now: .monotonicNow), &sessions, index)
                }
                continue
            }
            switch connection.read() {
            case .bytes(let bytes): perform(sessions[index].session.received(bytes, now: .monotonicNow), &sessions, index)
            case .nothing: break
            case .closed(let reason): drop(&sessions, index, reason: reason)
            }
        }
    }

    func drop(_ sessions: inout [Running], _ index: Int, reason: String) {
        sessions[index].connection?.close()
        sessions[index].connection = nil
        perform(sessions[index].session.closed(now: .monotonicNow, reason: reason), &sessions, index)
    }

    func perform(_ actions: [BGPSession.Action], _ sessions: inout [Running], _ index: Int) {
        let peer = peers[index]
        for action in actions {
            switch action {
            case .connect:
                do {
                    let connection = try BGPConnection.open(to: peer.settings, password: peer.password, namespace: namespace)
                    sessions[index].connection = connection
                    if !connection.connecting { perform(sessions[index].session.connected(now: .monotonicNow), &sessions, index) }
                } catch {
                    perform(sessions[index].session.closed(now: .monotonicNow, reason: error.description), &sessions, index)
                }
            case .send(let bytes):
                guard let connection = sessions[index].connection else { continue }
                if let problem = connection.write(bytes) { drop(&sessions, index, reason: "send: \(problem)") }
            case .close:
                sessions[index].connection?.close()
                sessions[index].connection = nil
            case .event(.established(let holdTime)):
                logger.info("bgp: session with \(peer.settings) established (hold time \(holdTime) s)")
                sessions[index].lastDown = nil
            case .event(.down(var reason, let retryAt)):
                // The peer's kernel drops segments with a wrong digest without a word.
                if peer.password != nil, reason.hasPrefix("no connection within") {
                    reason += " (with TCP-MD5 on, a password that differs from the router's looks like this: check password_file)"
                }
                let retry = retryAt.map { ", again in \(($0 - .monotonicNow).shortDescription)" } ?? ""
                logger.warning("bgp: session with \(peer.settings) down: \(reason)\(retry)")
                sessions[index].lastDown = reason
            }
        }
    }

    private func publish(_ sessions: [Running], applied: Int, finished: Bool) {
        let statuses = sessions.enumerated().map { index, running in
            PeerStatus(peer: peers[index].settings, state: running.session.state.rawValue,
                       announced: running.session.announced.map(\.prefix), lastDown: running.lastDown,
                       bfd: running.bfd.map { "\($0.state)" })
        }
        shared.withLock { state in
            state.statuses = statuses
            state.applied = max(state.applied, applied)
            state.finished = finished
        }
    }

    /// The routes with each prefix once (two groups announcing one address: the first wins).
    static func unique(_ routes: [BGPRoute]) -> [BGPRoute] {
        var seen = Set<IPPrefix>()
        return routes.filter { seen.insert($0.prefix).inserted }
    }
}
