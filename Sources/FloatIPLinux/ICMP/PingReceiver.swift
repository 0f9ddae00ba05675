import CFloatIPLinux
import FloatIPCore
import Foundation
import Glibc
import Synchronization

/// The receiving half of a `Pinger`: a table of pings waiting for their reply, and one dedicated
/// thread that polls the pinger's sockets, hands each echo reply to the ping with its identifier and
/// sequence number, and ends pings whose deadline has passed with nil.
///
/// A reply ends a ping only when it also comes from the address that ping was sent to and echoes
/// that ping's own random payload: anyone who can put an ICMP packet on the wire (a local user with
/// a ping socket, a host on the path) can guess or see the identifier and sequence, but cannot
/// answer for an address that is down with a payload they never saw; a recorded reply carries the
/// payload of an earlier request, which no later request has. Replies that fail this are dropped
/// (and counted in `rejectedReplies`).
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
        /// Raw IPv4 sockets deliver the IP header too.
        var ipv4HeaderIncluded: Bool
    }

    /// Bytes of random payload each request carries (and its reply must echo).
    static let payloadLength = 16

    private struct Waiter {
        /// Where the request went: the reply must come from there.
        var address: IPAddress
        /// The request's own random payload: the reply must echo it.
        var payload: [UInt8]
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
        var rejected = 0
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

    /// Echo replies with this pinger's identifier and a waiting ping's sequence that were dropped
    /// because they came from another address or did not echo that ping's payload.
    var rejectedReplies: Int { state.withLock { $0.rejected } }

    /// Registers the ping `key` to `address` with its `payload` until `deadline`, then calls `send`
    /// (outside the lock). `send` returns nil when the request is on its way, or how the ping ends at
    /// once (nil RTT or an error).
    func start(
        _ key: Key, to address: IPAddress, payload: [UInt8], deadline: ContinuousClock.Instant,
        continuation: CheckedContinuation<Duration?, any Error>, send: () -> Result<Duration?, any Error>?
    ) {
        let cancelled = state.withLock { state -> Bool in
            if state.cancelled.contains(key) { return true }
            state.waiters[key] = Waiter(
                address: address, payload: payload, deadline: deadline, sentAt: clock.now, continuation: continuation)
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
            var source = sockaddr_storage()
            var sourceLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &sourceLength)
                    }
                }
            }
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
                matcher.identifier == nil || reply.identifier == matcher.identifier
            else { continue }
            let from = Self.address(of: source)
            let key = Key(ipv6: ipv6, sequence: reply.sequence)
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiters[key] else { return nil }
                guard from == waiter.address, reply.payload == waiter.payload else {
                    state.rejected += 1
                    return nil
                }
                return state.waiters.removeValue(forKey: key)
            }
            if let waiter { waiter.continuation.resume(returning: receivedAt - waiter.sentAt) }
        }
    }

    /// The IP address in a socket address from recvfrom(2), nil for anything else.
    private static func address(of storage: sockaddr_storage) -> IPAddress? {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let v4 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            return .v4(UInt32(bigEndian: v4.sin_addr.s_addr))
        case AF_INET6:
            let v6 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return .v6(high, low)
        default:
            return nil
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
