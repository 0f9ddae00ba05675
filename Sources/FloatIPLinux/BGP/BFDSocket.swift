import CFloatIPLinux
import FloatIPCore
import Glibc

/// The UDP socket of single-hop BFD sessions (RFC 5881): bound to this node's address and port 3784
/// to receive, sending from a source port in 49152–65535, every packet with TTL 255, and every
/// received packet's TTL read (IP_RECVTTL: a packet with another TTL came from further away, and the
/// session drops it). The port is not shared (no SO_REUSEADDR): another local socket on 3784 would
/// take the peer's packets.
public final class BFDSocket: @unchecked Sendable {
    public let fd: Int32
    private let sendFD: Int32

    /// Sockets in the namespace `namespace` (the current one if nil), on `address`.
    public init(address: IPAddress, namespace: String? = nil, sourcePort: UInt16 = 49152) throws {
        guard case .v4(let value) = address else { throw SystemError(call: "BFD over IPv6", errno: EAFNOSUPPORT) }
        let type = Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue)
        fd = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: type, protocol: 0)
        do {
            sendFD = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: type, protocol: 0)
        } catch {
            close(fd)
            throw error
        }
        do {
            try setSocketOption(fd, Int32(IPPROTO_IP), IP_RECVTTL, Int32(1), "IP_RECVTTL")
            try setSocketOption(sendFD, Int32(IPPROTO_IP), IP_TTL, Int32(255), "IP_TTL")
            var receiving = socketAddress4(value, port: 3784), sending = socketAddress4(value, port: sourcePort)
            try bindSocket(fd, &receiving, "\(address):3784")
            try bindSocket(sendFD, &sending, "\(address):\(sourcePort)")
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

    /// Sends a control packet to `peer`:3784.
    public func send(_ bytes: [UInt8], to peer: IPAddress) throws(SystemError) {
        try sendDatagram(sendFD, bytes, to: peer, port: 3784)
    }

    /// The next waiting packet, its sender and TTL (-1 if the kernel gave none); nil when none is waiting.
    public func receive() -> (bytes: [UInt8], from: IPAddress, ttl: Int)? {
        var buffer = [UInt8](repeating: 0, count: 128)
        var from = sockaddr_in()
        var ttl: Int32 = -1
        let count = cfloatip_recv_ttl(fd, &buffer, buffer.count, &from, &ttl)
        guard count >= 0 else { return nil }
        return (Array(buffer.prefix(count)), .v4(UInt32(bigEndian: from.sin_addr.s_addr)), Int(ttl))
    }
}
