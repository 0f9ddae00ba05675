import FloatIPLinux
import Foundation
import Glibc

/// One short TCP exchange from the test process, optionally from inside a network namespace (the
/// socket is made there; see `NetworkNamespace`): connect, send, read until the peer closes. Blocks
/// for at most about twice `timeout`; run it off the cooperative pool.
public enum TCPExchange {
    /// What the peer sent before closing, or nil when the connection was refused, timed out, or the
    /// peer closed without a byte.
    public static func exchange(
        in namespace: String? = nil, host: String, port: Int, send: String = "", timeout: Duration = .milliseconds(500)
    ) -> String? {
        guard let fd = connected(in: namespace, host: host, port: port, timeout: timeout) else { return nil }
        defer { close(fd) }
        if !send.isEmpty {
            let bytes = Array(send.utf8)
            guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { return nil }
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < 1 << 16 {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }

    /// Whether a TCP connection to `host:port` is accepted now.
    public static func accepts(in namespace: String? = nil, host: String, port: Int, timeout: Duration = .milliseconds(500)) -> Bool {
        guard let fd = connected(in: namespace, host: host, port: port, timeout: timeout) else { return false }
        close(fd)
        return true
    }

    /// A socket connected to `host:port` (IPv4) with send and receive timeouts of `timeout`, or nil.
    private static func connected(in namespace: String?, host: String, port: Int, timeout: Duration) -> Int32? {
        guard let fd = try? NetworkNamespace.socket(in: namespace, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue), protocol: 0)
        else { return nil }
        var limit = timeval(
            tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let result = inet_pton(AF_INET, host, &address.sin_addr) == 1 ? withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } : -1
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}
