import Foundation
import Glibc
import Synchronization

/// The receiving half of a `Pinger`: a table of pings waiting for their reply, and one dedicated
/// thread that polls the pinger's sockets, hands each echo reply to the ping with its identifier and
/// sequence number, and ends pings whose deadline has passed with nil.
///
/// One thread per pinger blocks in poll(2), never a thread of Swift's concurrency pool. It sleeps
/// without a timeout while nothing waits, until the earliest deadline otherwise, and is woken
/// through a pipe when a ping starts or the pinger goes away. It owns the sockets and closes them
/// when it stops.
final class PingReceiver: Sendable {
    /// A ping in flight: its family and sequence number (the identifier is the pinger's).
    struct Key: Hashable, Sendable {
        var ipv6: Bool
        var sequence: UInt16
    }

    /// What tells this pinger's replies apart from everything else the socket sees.
    struct Matcher: Sendable {
        /// The identifier to match, or nil on ping sockets (the kernel rewrites it and delivers
        /// only this socket's replies).
        var identifier: UInt16?
        /// Bytes every request carries as its payload and every reply must echo.
        var payload: [UInt8]
        /// Raw IPv4 sockets deliver the IP header too.
        var ipv4HeaderIncluded: Bool
    }

    private struct Waiter {
        var deadline: ContinuousClock.Instant
        var sentAt: ContinuousClock.Instant
        var continuation: CheckedContinuation<Duration?, any Error>
    }

    private struct State {
        var inUse: Set<Key> = []
        var waiters: [Key: Waiter] = [:]
        var cancelled: Set<Key> = []
        var nextSequence: UInt16 = 0
        var stopping = false
    }

    let socket4: Int32
    let socket6: Int32?
    let matcher: Matcher
    private let wakePipe: WakePipe
    private let state = Mutex(State())
    private let clock = ContinuousClock()
    /// Most datagrams read from one socket per wake-up, so a flood cannot starve the deadlines.
    private static let readsPerWake = 256

    /// Takes ownership of the sockets (non-blocking) and starts the thread.
    init(socket4: Int32, socket6: Int32?, matcher: Matcher) throws(SystemError) {
        wakePipe = try WakePipe()
        self.socket4 = socket4
        self.socket6 = socket6
        self.matcher = matcher
        state.withLock { $0.nextSequence = UInt16.random(in: 0...UInt16.max) }
        let thread = Thread { [self] in run() }
        thread.name = "floatip-ping"
        thread.start()
    }

    /// Ends the thread, which then closes the sockets. Only when no ping is in flight (`Pinger.deinit`).
    func stop() {
        state.withLock { $0.stopping = true }
        wake()
    }

    /// A sequence number no other ping of this family uses now; `release` it when the ping is over.
    func reserve(ipv6: Bool) -> Key {
        state.withLock { state in
            // At most 65,536 pings of one family can be in flight; the loop ends when one is free.
            for _ in 0...Int(UInt16.max) {
                state.nextSequence &+= 1
                let key = Key(ipv6: ipv6, sequence: state.nextSequence)
                if state.inUse.insert(key).inserted { return key }
            }
            preconditionFailure("65,536 pings in flight on one pinger")
        }
    }

    func release(_ key: Key) {
        state.withLock { state in
            state.inUse.remove(key)
            state.cancelled.remove(key)
        }
    }

    /// Registers the ping `key` until `deadline`, then calls `send` (outside the lock). `send`
    /// returns nil when the request is on its way, or how the ping ends at once (nil RTT or an error).
    func start(
        _ key: Key, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Duration?, any Error>,
        send: () -> Result<Duration?, any Error>?
    ) {
        let cancelled = state.withLock { state -> Bool in
            if state.cancelled.contains(key) { return true }
            state.waiters[key] = Waiter(deadline: deadline, sentAt: clock.now, continuation: continuation)
            return false
        }
        if cancelled {
            continuation.resume(throwing: CancellationError())
            return
        }
        if let outcome = send() {
            finish(key, with: outcome)
        } else {
            wake()
        }
    }

    /// Ends the ping `key` with CancellationError if it still waits, or makes it end so when it starts.
    func cancel(_ key: Key) {
        let waiter = state.withLock { state -> Waiter? in
            if let waiter = state.waiters.removeValue(forKey: key) { return waiter }
            state.cancelled.insert(key)
            return nil
        }
        waiter?.continuation.resume(throwing: CancellationError())
    }

    private func finish(_ key: Key, with outcome: Result<Duration?, any Error>) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: key) }
        waiter?.continuation.resume(with: outcome)
    }

    private func wake() { wakePipe.signal() }

    // MARK: The thread

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var descriptors = [pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0)]
        descriptors.append(pollfd(fd: socket4, events: Int16(POLLIN), revents: 0))
        if let socket6 { descriptors.append(pollfd(fd: socket6, events: Int16(POLLIN), revents: 0)) }
        while let timeout = pollTimeout() {
            for index in descriptors.indices { descriptors[index].revents = 0 }
            let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
            if ready > 0 {
                if descriptors[0].revents != 0 { wakePipe.drain() }
                if descriptors[1].revents != 0 { readReplies(from: socket4, ipv6: false, into: &buffer) }
                if descriptors.count > 2, descriptors[2].revents != 0 {
                    readReplies(from: descriptors[2].fd, ipv6: true, into: &buffer)
                }
            }
            expire()
        }
        wakePipe.close()
        for fd in [socket4] + (socket6.map { [$0] } ?? []) { close(fd) }
    }

    /// Milliseconds until the earliest deadline (rounded up), -1 when nothing waits, nil when stopping.
    private func pollTimeout() -> Int32? {
        state.withLock { state -> Int32? in
            if state.stopping { return nil }
            guard let earliest = state.waiters.values.lazy.map(\.deadline).min() else { return -1 }
            let (seconds, attoseconds) = (earliest - clock.now).components
            if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
            let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
            return Int32(clamping: milliseconds)
        }
    }

    private func readReplies(from fd: Int32, ipv6: Bool, into buffer: inout [UInt8]) {
        for _ in 0..<Self.readsPerWake {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 {
                // EAGAIN: read everything. Other errors are a socket's pending error from an earlier
                // send (an ICMP error, a failed neighbour): reading clears it; its ping times out.
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                continue
            }
            let receivedAt = clock.now
            guard
                let reply = ICMPEcho.reply(
                    in: buffer[..<count], ipv6: ipv6, withIPHeader: !ipv6 && matcher.ipv4HeaderIncluded),
                matcher.identifier == nil || reply.identifier == matcher.identifier,
                reply.payload == matcher.payload
            else { continue }
            let key = Key(ipv6: ipv6, sequence: reply.sequence)
            if let waiter = state.withLock({ $0.waiters.removeValue(forKey: key) }) {
                waiter.continuation.resume(returning: receivedAt - waiter.sentAt)
            }
        }
    }

    private func expire() {
        let now = clock.now
        let expired = state.withLock { state -> [Waiter] in
            let keys = state.waiters.filter { $0.value.deadline <= now }.map(\.key)
            return keys.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in expired { waiter.continuation.resume(returning: nil) }
    }
}
