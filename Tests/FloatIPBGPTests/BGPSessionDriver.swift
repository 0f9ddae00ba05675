import FloatIPBGP
import FloatIPCore
import FloatIPLinux
import Foundation
import Glibc

/// Runs a `BGPSession` over a real TCP socket from a test's namespace, in the test's own thread,
/// for a bounded time: connects when told, sends what it says, feeds it bytes and time. The
/// agent's shell will do the same on its loop.
final class BGPSessionDriver {
    var session: BGPSession
    let namespace: String
    let peer: String
    private var fd: Int32 = -1
    private let origin = ContinuousClock.now
    /// Every event the session reported, in order.
    private(set) var events: [BGPSession.Event] = []

    /// TCP-MD5 (RFC 2385) on the connection, when set.
    let password: [UInt8]?

    init(_ config: BGPSessionConfig, namespace: String, peer: String, password: String? = nil) {
        session = BGPSession(config: config)
        self.password = password.map { Array($0.utf8) }
        self.namespace = namespace
        self.peer = peer
    }

    deinit { if fd >= 0 { close(fd) } }

    var now: Instant { .zero + (ContinuousClock.now - origin) }

    func start() { perform(session.start(now: now)) }
    func advertise(_ routes: [BGPRoute]) { perform(session.advertise(routes)) }
    func stop(_ message: String) { perform(session.stop(message: message, now: now)) }

    /// Runs the session until `until` holds or `limit` passes; whether `until` held.
    @discardableResult
    func run(for limit: Duration, until: (BGPSessionDriver) -> Bool = { _ in false }) -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if until(self) { return true }
            let wait = min(end - ContinuousClock.now, (session.nextDeadline.map { $0 - now }) ?? .milliseconds(50), .milliseconds(50))
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, fd >= 0 ? 1 : 0, Int32(max(0, wait.milliseconds)))
            if ready > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 {
                    perform(session.received(Array(buffer.prefix(count)), now: now))
                } else {
                    closeSocket()
                    perform(session.closed(now: now))
                }
            }
            perform(session.tick(now: now))
        }
        return until(self)
    }

    private func perform(_ actions: [BGPSession.Action]) {
        for action in actions {
            switch action {
            case .connect: connect()
            case .send(let bytes):
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .close: closeSocket()
            case .event(let event): events.append(event)
            }
        }
    }

    private func connect() {
        guard let fd = try? NetworkNamespace.socket(in: namespace, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0) else {
            perform(session.closed(now: now, reason: "no socket"))
            return
        }
        // A connect the peer never answers (a wrong TCP-MD5 password: its kernel drops our SYN) ends after 2 s.
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let password {
            do {
                try TCPMD5.set(password, peer: IPAddress(peer)!, on: fd)
            } catch {
                close(fd)
                perform(session.closed(now: now, reason: "\(error)"))
                return
            }
        }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(179).bigEndian
        inet_pton(AF_INET, peer, &target.sin_addr)
        let result = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let silent = errno == EINPROGRESS || errno == ETIMEDOUT
            let reason = silent ? "no answer from \(peer):179 within 2 s" : String(cString: strerror(errno))
            close(fd)
            perform(session.closed(now: now, reason: "connect to \(peer): \(reason)"))
            return
        }
        self.fd = fd
        perform(session.connected(now: now))
    }

    private func closeSocket() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    var isEstablished: Bool { session.state == .established }
}
