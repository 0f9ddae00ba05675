import CFloatIPLinux
import Foundation
import Glibc
import Synchronization

/// Watches addresses and links: a NETLINK_ROUTE socket subscribed to RTNLGRP_LINK,
/// RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR, separate from any request socket.
///
/// The kernel queues events from `init` on; reading starts with `events()`, on a dedicated
/// thread that sleeps in `poll` until an event or `stop()` arrives (a pipe wakes it: an idle
/// watcher costs no wake-ups), then closes the socket and ends the stream.
///
/// Lost events are never silent. When the socket overflowed (ENOBUFS) or the consumer fell more
/// than `bufferLimit` events behind, the watcher drops what is queued, re-dumps addresses and
/// links through a `RouteNetlink` in the same namespace, and emits `.resynced`, which replaces
/// all state before it. Events after a snapshot may repeat what it already shows: apply them
/// idempotently.
public final class NetlinkWatcher: Sendable {
    private let loop: WatcherLoop

    /// Subscribes a new socket in the named network namespace, or in the current one. With
    /// `addresses: false` only to links: a watcher that follows a link's state is then not woken
    /// by address changes (the holder's lifetime renewals, every second).
    public convenience init(namespace: String? = nil, addresses: Bool = true) throws(NetlinkError) {
        try self.init(namespace: namespace, receiveBufferSize: nil, addresses: addresses)
    }

    /// `receiveBufferSize` forces the socket's receive buffer (SO_RCVBUFFORCE, needs
    /// CAP_NET_ADMIN); tests shrink it to provoke ENOBUFS. `bufferLimit` bounds the stream.
    init(namespace: String?, receiveBufferSize: Int?, bufferLimit: Int = 4096, addresses: Bool = true)
        throws(NetlinkError)
    {
        let socket: NetlinkSocket
        do {
            socket = try NetlinkSocket.open(namespace: namespace)
        } catch {
            throw NetlinkError(operation: "open rtnetlink watcher" + (namespace.map { " in namespace \($0)" } ?? ""), error)
        }
        do {
            for group in addresses ? [RT.groupLink, RT.groupIPv4Address, RT.groupIPv6Address] : [RT.groupLink] {
                try socket.setOption(SOL_NETLINK, RT.optionAddMembership, group, name: "NETLINK_ADD_MEMBERSHIP \(group)")
            }
            if let receiveBufferSize {
                try socket.setOption(SOL_SOCKET, SO_RCVBUFFORCE, Int32(clamping: receiveBufferSize), name: "SO_RCVBUFFORCE")
            }
        } catch {
            socket.close()
            throw NetlinkError(operation: "subscribe rtnetlink watcher", error)
        }
        let wake: WakePipe
        do {
            wake = try WakePipe()
        } catch {
            socket.close()
            throw NetlinkError(operation: "open rtnetlink watcher", error)
        }
        loop = WatcherLoop(socket: socket, wake: wake, namespace: namespace, bufferLimit: max(1, bufferLimit))
    }

    deinit { loop.requestStop() }

    /// The events, from the first call on; starts the reader thread. Call it once: a second call
    /// (or a call after `stop()`) returns a stream that is already finished. Ending the iteration
    /// (or cancelling its task) stops the watcher.
    public func events() -> AsyncStream<NetlinkEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: NetlinkEvent.self, bufferingPolicy: .bufferingOldest(loop.bufferLimit))
        guard loop.claimStart() else {
            continuation.finish()
            return stream
        }
        let loop = self.loop
        continuation.onTermination = { _ in loop.requestStop() }
        let thread = Thread { loop.run(continuation) }
        thread.name = "floatip-netlink"  // at most 15 bytes, or Linux keeps none
        thread.start()
        return stream
    }

    /// Stops reading and closes the socket (the reader thread wakes at once); the stream then finishes.
    public func stop() { loop.requestStop() }
}

/// The state the reader thread shares with the watcher, and the read loop itself.
private final class WatcherLoop: Sendable {
    struct State {
        var started = false
        var stopRequested = false
        var closed = false
    }

    /// How many datagrams one wake-up reads before it checks `stop()` again.
    static let datagramsPerWake = 256
    /// How often a failed or dropped resync is tried again.
    static let resyncRetry: Duration = .milliseconds(200)

    let socket: NetlinkSocket
    let wake: WakePipe
    let namespace: String?
    let bufferLimit: Int
    private let state = Mutex(State())

    init(socket: NetlinkSocket, wake: WakePipe, namespace: String?, bufferLimit: Int) {
        self.socket = socket
        self.wake = wake
        self.namespace = namespace
        self.bufferLimit = bufferLimit
    }

    func claimStart() -> Bool {
        state.withLock { state in
            guard !state.started, !state.stopRequested else { return false }
            state.started = true
            return true
        }
    }

    /// Asks the thread to stop (waking it); if it never started, closes the socket here.
    func requestStop() {
        let closeNow = state.withLock { state in
            state.stopRequested = true
            guard !state.closed else { return false }
            // Under the lock: the thread closes the pipe only after marking `closed` here.
            guard !state.started else {
                wake.signal()
                return false
            }
            state.closed = true
            return true
        }
        if closeNow {
            socket.close()
            wake.close()
        }
    }

    private var stopRequested: Bool { state.withLock { $0.stopRequested } }

    func run(_ continuation: AsyncStream<NetlinkEvent>.Continuation) {
        defer {
            state.withLock { $0.closed = true }
            socket.close()
            wake.close()
            continuation.finish()
        }
        let clock = ContinuousClock()
        var resyncPending = false
        var nextResync = clock.now
        var resyncer: RouteNetlink?
        while !stopRequested {
            if resyncPending, clock.now >= nextResync {
                nextResync = clock.now + Self.resyncRetry
                if let snapshot = try? Self.snapshot(&resyncer, namespace: namespace),
                    case .enqueued = continuation.yield(snapshot)
                {
                    resyncPending = false
                }
            }
            // Blocks until an event or `stop()`; a pending resync retries every 20 ms.
            var descriptors = [
                pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, resyncPending ? 20 : -1)
            if ready < 0 && errno != EINTR { return }
            guard ready > 0, descriptors[0].revents != 0 else { continue }
            for _ in 0..<Self.datagramsPerWake {
                let datagram: [UInt8]
                do {
                    datagram = try socket.receive(flags: Int32(MSG_DONTWAIT))
                } catch where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
                    break
                } catch where error.errno == ENOBUFS {
                    // Events were lost: what is still queued is older than the dump we will take.
                    resyncPending = true
                    nextResync = clock.now
                    drain()
                    break
                } catch {
                    return
                }
                // A datagram that does not split is skipped: it cannot be trusted, and the
                // next ones still can.
                guard !resyncPending, let messages = try? NetlinkMessage.split(datagram) else { continue }
                for message in messages {
                    guard let event = NetlinkEvent(message) else { continue }
                    switch continuation.yield(event) {
                    case .enqueued: break
                    case .dropped:
                        resyncPending = true
                        nextResync = clock.now
                    case .terminated: return
                    @unknown default: break
                    }
                    if resyncPending { break }
                }
            }
        }
    }

    /// Discards what is queued on the socket (bounded: new events may keep arriving).
    private func drain() {
        for _ in 0..<4 * Self.datagramsPerWake {
            guard (try? socket.receive(flags: Int32(MSG_DONTWAIT))) != nil else { return }
        }
    }

    private static func snapshot(_ resyncer: inout RouteNetlink?, namespace: String?) throws -> NetlinkEvent {
        let netlink = try resyncer ?? RouteNetlink(namespace: namespace)
        resyncer = netlink
        return .resynced(addresses: try netlink.addresses(), links: try netlink.links())
    }
}
