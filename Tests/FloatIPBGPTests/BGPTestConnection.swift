import FloatIPBGP
import FloatIPLinux
import Foundation
import Glibc

/// A plain TCP connection from a test's namespace to a router's BGP port, speaking through
/// `BGPCodec`: what a floatip node will say, one message at a time, every wait bounded.
final class BGPTestConnection {
    let fd: Int32
    var codec = BGPCodec()
    private var framer = BGPFramer()
    /// Every message received, as its raw bytes (the golden bytes a real router sent).
    private(set) var received: [[UInt8]] = []

    /// Connects from `namespace` to `address`:179, retrying for up to `limit` while the router starts.
    init(namespace: String, to address: String, limit: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            let fd = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
            var target = sockaddr_in()
            target.sin_family = sa_family_t(AF_INET)
            target.sin_port = in_port_t(179).bigEndian
            inet_pton(AF_INET, address, &target.sin_addr)
            let result = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if result == 0 {
                self.fd = fd
                return
            }
            close(fd)
            guard Date() < deadline else { throw POSIXError(.ECONNREFUSED) }
            usleep(50_000)
        }
    }

    deinit { close(fd) }

    func send(_ message: BGPMessage) throws {
        try sendRaw(codec.encode(message))
    }

    func sendRaw(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// The next message, or nil when none comes within `limit` or the router closed the connection.
    func receive(limit: Duration = .seconds(5)) throws -> BGPMessage? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let bytes = try framer.next() {
                received.append(bytes)
                return try codec.decode(bytes)
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&poller, 1, max(1, milliseconds)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            framer.append(buffer.prefix(count))
        }
    }

    /// The next message that is not a KEEPALIVE (or nil, as `receive`).
    func receiveSkippingKeepalives(limit: Duration = .seconds(5)) throws -> BGPMessage? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard let message = try receive(limit: deadline - ContinuousClock.now) else { return nil }
            if message != .keepalive { return message }
        }
        return nil
    }
}
