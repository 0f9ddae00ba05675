import FloatIPCore

/// One BGP-4 session as a value (RFC 4271 §8, the parts a speaker that only announces needs),
/// driven by time and bytes like the group engine: the shell reports what happened (`start`,
/// `connected`, bytes `received`, `closed`, `tick`) and carries out the `Action`s it gets back
/// (connect, send, close). The routes it should announce are `advertise`d as a set; it sends
/// the differences once established, and all of them again after a reconnect or a ROUTE-REFRESH.
/// The peer's own routes are read and ignored (counted). Pure: no sockets, no clock reads.
public struct BGPSession: Sendable {
    public enum State: String, Sendable { case idle, connect, openSent, openConfirm, established }

    /// What the shell does for the session.
    public enum Action: Sendable, Equatable {
        case connect
        case send([UInt8])
        case close
        case event(Event)
    }

    /// What the session tells the agent (logs, status).
    public enum Event: Sendable, Equatable {
        case established(holdTime: UInt16)
        /// The session ended: why, and when the next attempt is (nil after `stop`).
        case down(reason: String, retryAt: Instant?)
    }

    public let config: BGPSessionConfig
    public private(set) var state: State = .idle
    /// The hold time both agreed on (established), in seconds.
    public private(set) var negotiatedHoldTime: UInt16 = 0
    /// Routes the peer announced to us, read and ignored.
    public private(set) var peerRoutesIgnored = 0
    /// The routes the peer has from us now (as far as this session sent them).
    public private(set) var announced: [BGPRoute] = []
    private var wanted: [BGPRoute] = []
    private var codec = BGPCodec()
    private var framer = BGPFramer()
    private var retry: Duration
    private var retryAt: Instant?
    private var holdDeadline: Instant?
    private var keepaliveAt: Instant?
    private var stopped = true

    public init(config: BGPSessionConfig) {
        self.config = config
        retry = config.firstRetry
    }

    /// The next instant `tick` must be called at, if any.
    public var nextDeadline: Instant? { [retryAt, holdDeadline, keepaliveAt].compactMap { $0 }.min() }

    // MARK: Inputs

    /// Starts connecting (ConnectRetry after a failure).
    public mutating func start(now: Instant) -> [Action] {
        stopped = false
        guard state == .idle else { return [] }
        return connect(now: now)
    }

    /// The TCP connection is up: send OPEN and wait for the peer's.
    public mutating func connected(now: Instant) -> [Action] {
        guard state == .connect else { return [] }
        state = .openSent
        codec = BGPCodec()
        framer = BGPFramer()
        holdDeadline = now + config.openTimeout
        let open = BGPOpen.floatip(asn: config.localASN, holdTime: config.holdTime, identifier: config.routerID)
        return [.send(codec.encode(.open(open)))]
    }

    /// The connection failed or was closed by the peer.
    public mutating func closed(now: Instant, reason: String = "the connection closed") -> [Action] {
        guard state != .idle else { return [] }
        return down(now: now, reason: reason, close: false)
    }

    /// Bytes from the peer.
    public mutating func received(_ bytes: [UInt8], now: Instant) -> [Action] {
        guard state != .idle, state != .connect else { return [] }
        framer.append(bytes)
        var actions: [Action] = []
        while state != .idle {
            let message: BGPMessage
            do {
                guard let frame = try framer.next() else { break }
                message = try codec.decode(frame)
            } catch {
                return actions + fail(error.notification, now: now, reason: "\(error)")
            }
            actions += handle(message, now: now)
        }
        return actions
    }

    /// Time passed: the hold timer, the keepalive timer, the reconnect.
    public mutating func tick(now: Instant) -> [Action] {
        if let holdDeadline, now >= holdDeadline, state == .connect {
            return down(now: now, reason: "no connection within \(config.openTimeout.shortDescription)", close: true)
        }
        if let holdDeadline, now >= holdDeadline {
            let expired = state == .established || state == .openConfirm
            return fail(BGPNotification(code: 4, subcode: 0), now: now,
                        reason: expired ? "hold timer expired (\(negotiatedHoldTime) s without a message)" : "no OPEN within \(config.openTimeout.shortDescription)")
        }
        var actions: [Action] = []
        if let keepaliveAt, now >= keepaliveAt {
            actions.append(.send(codec.encode(.keepalive)))
            self.keepaliveAt = now + keepaliveInterval
        }
        if let retryAt, now >= retryAt, state == .idle, !stopped {
            actions += connect(now: now)
        }
        return actions
    }

    /// Sets the routes to announce; once established, sends what changed.
    public mutating func advertise(_ routes: [BGPRoute]) -> [Action] {
        wanted = routes
        guard state == .established else { return [] }
        return sendChanges()
    }

    /// Ends the session for good: Cease / Administrative Shutdown with `message` (RFC 8203), so the
    /// router withdraws our routes at once, then close. No reconnect until `start`.
    public mutating func stop(message: String, now: Instant) -> [Action] {
        stopped = true
        retryAt = nil
        guard state != .idle else { return [] }
        var actions: [Action] = []
        if state != .connect { actions.append(.send(codec.encode(.notification(.administrativeShutdown(message))))) }
        reset()
        return actions + [.close, .event(.down(reason: "stopped: \(message)", retryAt: nil))]
    }

    // MARK: Machine

    private mutating func connect(now: Instant) -> [Action] {
        state = .connect
        retryAt = nil
        holdDeadline = now + config.openTimeout
        return [.connect]
    }

    private mutating func handle(_ message: BGPMessage, now: Instant) -> [Action] {
        switch (state, message) {
        case (.openSent, .open(let open)):
            if let problem = check(open) { return fail(problem.notification, now: now, reason: "\(problem)") }
            negotiatedHoldTime = min(config.holdTime, open.holdTime)
            codec.fourOctetAS = open.fourOctetAS != nil
            state = .openConfirm
            holdDeadline = negotiatedHoldTime == 0 ? nil : now + .seconds(Int(negotiatedHoldTime))
            keepaliveAt = negotiatedHoldTime == 0 ? nil : now + keepaliveInterval
            return [.send(codec.encode(.keepalive))]
        case (.openConfirm, .keepalive):
            state = .established
            retry = config.firstRetry
            restartHold(now)
            return [.event(.established(holdTime: negotiatedHoldTime))] + sendChanges()
        case (.established, .keepalive):
            restartHold(now)
            return []
        case (.established, .update(let update)):
            restartHold(now)
            peerRoutesIgnored += update.allAnnounced.count
            return []
        case (.established, .routeRefresh):
            restartHold(now)
            announced = []
            return sendChanges()
        case (_, .notification(let notification)):
            return down(now: now, reason: "the peer sent a NOTIFICATION: \(notification)", close: true)
        default:
            // RFC 4271 §8.2.2: any other message in this state is a finite state machine error.
            return fail(BGPNotification(code: 5, subcode: 0), now: now, reason: "unexpected message type \(message.type) in \(state.rawValue)")
        }
    }

    /// What is wrong with the peer's OPEN, if anything (RFC 4271 §6.2).
    private func check(_ open: BGPOpen) -> BGPError? {
        if open.asn != config.peerASN { return .badPeerAS(expected: config.peerASN, got: open.asn) }
        if config.isInternal, open.identifier == config.routerID { return .badIdentifier(open.identifier) }
        return nil
    }

    private var keepaliveInterval: Duration { .seconds(Int(max(1, negotiatedHoldTime / 3))) }

    private mutating func restartHold(_ now: Instant) {
        holdDeadline = negotiatedHoldTime == 0 ? nil : now + .seconds(Int(negotiatedHoldTime))
    }

    private mutating func fail(_ notification: BGPNotification, now: Instant, reason: String) -> [Action] {
        [.send(codec.encode(.notification(notification)))] + down(now: now, reason: reason, close: true)
    }

    private mutating func down(now: Instant, reason: String, close: Bool) -> [Action] {
        reset()
        let at = stopped ? nil : now + retry
        retryAt = at
        retry = min(retry * 2, config.maximumRetry)
        return (close ? [.close] : []) + [.event(.down(reason: reason, retryAt: at))]
    }

    private mutating func reset() {
        state = .idle
        holdDeadline = nil
        keepaliveAt = nil
        announced = []
        negotiatedHoldTime = 0
    }

    /// UPDATEs for the difference between what the peer has and what is wanted: withdrawals first,
    /// only of prefixes no longer wanted (a route whose attributes changed is announced again, which
    /// replaces its path without a gap: RFC 4271 §3.1).
    private mutating func sendChanges() -> [Action] {
        let gone = announced.filter { old in !wanted.contains { $0.prefix == old.prefix } }
        let new = wanted.filter { !announced.contains($0) }
        announced = wanted
        var actions: [Action] = []
        let withdrawnV4 = gone.filter { $0.prefix.address.isIPv4 }.map(\.prefix)
        let withdrawnV6 = gone.filter { !$0.prefix.address.isIPv4 }.map(\.prefix)
        if !withdrawnV4.isEmpty { actions.append(.send(codec.encode(.update(BGPUpdate(withdrawn: withdrawnV4)))) ) }
        if !withdrawnV6.isEmpty {
            actions.append(.send(codec.encode(.update(BGPUpdate(attributes: [.mpUnreach(.ipv6Unicast, withdrawnV6)])))))
        }
        for route in new {
            actions.append(.send(codec.encode(.update(route.update(localASN: config.localASN, isInternal: config.isInternal)))))
        }
        return actions
    }
}
