import FloatIPCore
import FloatIPLinux
import Glibc
import Synchronization

/// An IP address and UDP port as the socket calls take and give them.
struct PeerSocketAddress: Hashable, Sendable {
    let address: IPAddress
    let port: UInt16

    init(_ address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The address the kernel reported, if it is IPv4 or IPv6.
    init?(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let v4 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            self.init(.v4(UInt32(bigEndian: v4.sin_addr.s_addr)), port: UInt16(bigEndian: v4.sin_port))
        case AF_INET6:
            let v6 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
            let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self.init(.v6(high, low), port: UInt16(bigEndian: v6.sin6_port))
        default:
            return nil
        }
    }

    var family: Int32 { address.isIPv4 ? AF_INET : AF_INET6 }

    /// Calls `body` with the address as a `sockaddr` and its length.
    func withSocketAddress<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        switch address {
        case .v4(let value):
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            v4.sin_addr.s_addr = value.bigEndian
            let length = socklen_t(MemoryLayout<sockaddr_in>.size)
            return withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        case .v6(let high, let low):
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &v6.sin6_addr) { bytes in
                for index in 0..<8 {
                    bytes[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
                    bytes[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
                }
            }
            let length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            return withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        }
    }
}

/// A bound UDP socket: non-blocking sends from any thread, and reads by a poll loop when the
/// descriptor is readable (`readAvailable`). The descriptor is closed under a lock that every send
/// and read takes, so neither reaches a reused descriptor.
final class DatagramSocket: Sendable {
    /// The socket, for a poll loop that watches it (`readAvailable` when readable).
    let fd: Int32
    /// Whether the descriptor is closed.
    private let closed = Mutex(false)
    /// Most datagrams read per wake-up, so one busy socket does not starve the loop's timer.
    private static let readsPerWake = 64
    /// The read buffer: `HeartbeatCodec.maxDatagramSize` + 1.
    static let bufferSize = HeartbeatCodec.maxDatagramSize + 1

    /// Binds `local` exclusively. No SO_REUSEADDR (UDP has no TIME_WAIT to wait out): with it, a
    /// local user's socket with the option could share the port and, `connect`ed to a peer, take
    /// that peer's datagrams from the agent (docs/security.md).
    init(binding local: PeerSocketAddress) throws(SystemError) {
        let fd = Glibc.socket(local.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError(call: "socket", errno: errno) }
        let bound = local.withSocketAddress { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = SystemError(call: "bind", errno: errno)
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
    }

    /// One `sendto`, never blocking; an error is loss.
    func send(_ datagram: [UInt8], to address: PeerSocketAddress) {
        closed.withLock { closed in
            guard !closed else { return }
            _ = datagram.withUnsafeBytes { bytes in
                address.withSocketAddress {
                    Glibc.sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, $1)
                }
            }
        }
    }

    /// Reads the datagrams queued now (at most `readsPerWake`) into `deliver`, without blocking.
    /// For a poll loop that found the socket readable; nothing after `close()`.
    func readAvailable(_ deliver: ([UInt8], PeerSocketAddress?) -> Void) {
        // One byte more than the largest datagram the codec accepts: a larger one arrives cut to
        // this size and is rejected as too large. On the stack: an idle agent reads every interval.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.bufferSize) { buffer in
            for _ in 0..<Self.readsPerWake {
                var source = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = closed.withLock { closed -> Int in
                    guard !closed else { return Int.min }
                    return withUnsafeMutablePointer(to: &source) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
                        }
                    }
                }
                if count == Int.min { return }
                if count < 0 {
                    // An ICMP error queued for an earlier send is reported once: read on.
                    switch errno {
                    case EINTR, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ENETDOWN: continue
                    default: return
                    }
                }
                deliver(Array(buffer[0..<count]), PeerSocketAddress(source))
            }
        }
    }

    /// Closes the socket; later sends and reads do nothing.
    func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            Glibc.close(fd)
        }
    }
}
