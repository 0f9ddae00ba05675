import CFloatIPLinux
import FloatIPCore
import Glibc

/// ICMP echo ("ping") to IPv4 and IPv6 addresses, for reachability checks.
///
/// **Sockets.** Where `net.ipv4.ping_group_range` (per namespace; it governs IPv6 too) covers the
/// process's group, the pinger uses unprivileged ping sockets (SOCK_DGRAM): the kernel sets the
/// identifier and checksum and delivers only this socket's replies. Otherwise it uses raw sockets
/// (CAP_NET_RAW): it computes the ICMP checksum, skips the IPv4 header by its IHL, sets an ICMP
/// filter that passes only echo replies, and matches replies by its random identifier. The choice
/// is made once in `init` by trying the ping socket first; `mode` says which it got.
/// (Debian's default range "1 0" allows no one, not even root, so root gets raw sockets there.)
///
/// **Concurrency.** One socket per family and one receive thread per pinger (`PingReceiver`).
/// Every ping has its own sequence number and its own random 16-byte payload; the thread hands a
/// reply to the ping with that identifier and sequence only when it comes from the ping's target
/// and echoes that ping's payload, so concurrent pings, other pingers and processes never take each
/// other's replies, and a forged or recorded reply does not count. Waiting costs no thread of the
/// concurrency pool; each ping ends by its timeout at the latest.
public final class Pinger: Sendable {
    /// Which kind of socket the pinger uses.
    public enum Mode: String, Sendable {
        /// Unprivileged ping sockets (SOCK_DGRAM, IPPROTO_ICMP / IPPROTO_ICMPV6).
        case datagram
        /// Raw sockets (SOCK_RAW), which need CAP_NET_RAW.
        case raw
    }

    /// Timeouts are clamped to 0…1 h.
    public static let longestTimeout: Duration = .seconds(3_600)

    /// The kind of socket chosen at init.
    public let mode: Mode
    private let receiver: PingReceiver
    private let clock = ContinuousClock()

    /// Opens the sockets in `namespace` (the current namespace if nil). `mode` nil chooses as
    /// described above; a given mode is used or fails. Throws `PingError.needsPermission` when
    /// neither kind of socket may be opened.
    public init(namespace: String? = nil, mode: Mode? = nil) throws {
        var chosen = mode ?? .datagram
        var socket4: Int32
        do {
            socket4 = try Self.openSocket(ipv6: false, mode: chosen, namespace: namespace)
        } catch let error as SystemError where error.isPermission && mode == nil {
            chosen = .raw
            socket4 = try Self.openSocket(ipv6: false, mode: chosen, namespace: namespace)
        }
        var socket6: Int32?
        do {
            socket6 = try Self.openSocket(ipv6: true, mode: chosen, namespace: namespace)
        } catch let error as SystemError where error.errno == EAFNOSUPPORT {
            socket6 = nil
        } catch {
            close(socket4)
            throw error
        }
        let matcher = PingReceiver.Matcher(
            identifier: chosen == .raw ? UInt16.random(in: 0...UInt16.max) : nil, ipv4HeaderIncluded: chosen == .raw)
        do {
            receiver = try PingReceiver(socket4: socket4, socket6: socket6, matcher: matcher)
        } catch {
            close(socket4)
            if let socket6 { close(socket6) }
            throw error
        }
        self.mode = chosen
    }

    deinit { receiver.stop() }

    /// Echo replies dropped because they came from another address than the ping's target, or did
    /// not echo the ping's payload (forged or recorded replies, or a stray answer).
    public var rejectedReplies: Int { receiver.rejectedReplies }

    /// Sends one echo request to `address` and waits up to `timeout` (at most `longestTimeout`) for the reply.
    /// Returns the round-trip time (from just before sending to the reply's arrival, ContinuousClock),
    /// or nil when no reply came in time, or at once when the kernel reports the host unreachable
    /// (EHOSTUNREACH, EHOSTDOWN). Throws `PingError` for other send failures (no route: ENETUNREACH),
    /// and CancellationError when the task is cancelled.
    public func ping(_ address: IPAddress, timeout: Duration) async throws -> Duration? {
        let fd: Int32
        if address.isIPv4 {
            fd = receiver.socket4
        } else {
            guard let socket6 = receiver.socket6 else { throw PingError.ipv6Unavailable(address) }
            fd = socket6
        }
        let key = receiver.reserve(ipv6: !address.isIPv4)
        defer { receiver.release(key) }
        // The system generator (getrandom(2)): not predictable from earlier requests.
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<PingReceiver.payloadLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let request = ICMPEcho.request(
            ipv6: key.ipv6, identifier: receiver.matcher.identifier ?? 0, sequence: key.sequence, payload: payload)
        let deadline = clock.now + min(max(timeout, .zero), Self.longestTimeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                receiver.start(key, to: address, payload: payload, deadline: deadline, continuation: continuation) {
                    Self.send(request, to: address, on: fd)
                }
            }
        } onCancel: {
            receiver.cancel(key)
        }
    }

    /// Sends the request; nil when it is on its way, else how the ping ends.
    private static func send(_ request: [UInt8], to address: IPAddress, on fd: Int32) -> Result<Duration?, any Error>? {
        // A failure may be the socket's pending error from an earlier ping (sendmsg reports and
        // clears it): one retry tells that apart from this send's own failure.
        var lastError: SystemError?
        for _ in 0..<2 {
            do {
                try sendOnce(request, to: address, on: fd)
                return nil
            } catch {
                lastError = error
                guard [EHOSTUNREACH, EHOSTDOWN, ENETUNREACH, ECONNREFUSED].contains(error.errno) else { break }
            }
        }
        guard let lastError else { return nil }
        if lastError.errno == EHOSTUNREACH || lastError.errno == EHOSTDOWN { return .success(nil) }
        if lastError.isPermission { return .failure(PingError.needsPermission) }
        return .failure(PingError.failed(what: "ping \(address)", lastError))
    }

    private static func sendOnce(_ request: [UInt8], to address: IPAddress, on fd: Int32) throws(SystemError) {
        try sendDatagram(fd, request, to: address)
    }

    /// A non-blocking ICMP socket of the family and mode, inside `namespace`; raw ones get a filter
    /// that passes only echo replies.
    private static func openSocket(ipv6: Bool, mode: Mode, namespace: String?) throws -> Int32 {
        let kind = mode == .raw ? SOCK_RAW.rawValue : SOCK_DGRAM.rawValue
        let type = Int32(kind | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd: Int32
        do {
            fd = try NetworkNamespace.socket(
                in: namespace, domain: ipv6 ? AF_INET6 : AF_INET, type: type,
                protocol: Int32(ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
        } catch let error as SystemError where error.isPermission && mode == .raw {
            throw PingError.needsPermission
        }
        guard mode == .raw else { return fd }
        do {
            if ipv6 {
                try setICMPv6Filter(fd, passing: [ICMPEcho.replyV6])
            } else {
                var blocked: UInt32 = ~(UInt32(1) << UInt32(ICMPEcho.replyV4))  // linux/icmp.h ICMP_FILTER
                try syscall("setsockopt ICMP_FILTER") {
                    setsockopt(fd, solRaw, icmpFilter, &blocked, socklen_t(MemoryLayout<UInt32>.size))
                }
            }
        } catch {
            close(fd)
            throw PingError.failed(what: "configuring the ICMP socket", error)
        }
        return fd
    }
}

/// SOL_RAW and ICMP_FILTER (linux/socket.h, linux/icmp.h; not in Glibc's module, stable ABI).
private let solRaw: Int32 = 255
private let icmpFilter: Int32 = 1
