import CFloatIPLinux
import FloatIPCore
import Glibc

/// The UDP socket of single-hop BFD sessions (RFC 5881): bound to this node's address and port 3784
/// to receive, sending from a source port in 49152–65535, every packet with TTL 255. The kernel
/// drops every received packet whose TTL is below 255 (IP_MINTTL, RFC 5082): it came from further
/// away than the link.
public final class BFDSocket: @unchecked Sendable {
    public let fd: Int32
    private let sendFD: Int32

    /// Sockets in the namespace `namespace` (the current one if nil), on `address`.
    public init(address: IPAddress, namespace: String? = nil, sourcePort: UInt16 = 49152) throws {
        guard case .v4(let value) = address else { throw SystemError(call: "BFD over IPv6", errno: EAFNOSUPPORT) }
        fd = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
        do {
            sendFD = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
        } catch {
            close(fd)
            throw error
        }
        var on: Int32 = 1, ttl: Int32 = 255
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, Int32(IPPROTO_IP), Self.minimumTTL, &ttl, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(sendFD, Int32(IPPROTO_IP), IP_TTL, &ttl, socklen_t(MemoryLayout<Int32>.size))
        do {
            try Self.bind(fd, value, port: 3784)
            try Self.bind(sendFD, value, port: sourcePort)
        } catch {
            close(fd)
            close(sendFD)
            throw error
        }
    }

    deinit {
        close(fd)
        close(sendFD)
    }

    /// IP_MINTTL (linux/in.h).
    static let minimumTTL: Int32 = 21

    private static func bind(_ fd: Int32, _ address: UInt32, port: UInt16) throws(SystemError) {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = port.bigEndian
        local.sin_addr.s_addr = address.bigEndian
        let result = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw SystemError(call: "bind BFD port \(port)", errno: errno) }
    }

    /// Sends a control packet to `peer`:3784.
    public func send(_ bytes: [UInt8], to peer: IPAddress) throws(SystemError) {
        guard case .v4(let value) = peer else { throw SystemError(call: "BFD over IPv6", errno: EAFNOSUPPORT) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = UInt16(3784).bigEndian
        target.sin_addr.s_addr = value.bigEndian
        try sendDatagram(sendFD, bytes, to: &target, flags: Int32(MSG_DONTWAIT))
    }

    /// The next waiting packet, its sender and TTL (255: the kernel drops any other); nil when none is waiting.
    public func receive() -> (bytes: [UInt8], from: IPAddress, ttl: Int)? {
        var buffer = [UInt8](repeating: 0, count: 128)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = withUnsafeMutablePointer(to: &from) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT), $0, &length)
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer.prefix(count)), .v4(UInt32(bigEndian: from.sin_addr.s_addr)), 255)
    }
}
