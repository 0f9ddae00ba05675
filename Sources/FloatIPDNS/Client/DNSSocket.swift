#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FloatIPCore

/// One request and its answer over UDP or TCP with plain blocking sockets, bounded by a deadline:
/// every wait is a `poll` with the time left. Called on a thread of its own (`OffPoolCall`), never
/// on Swift's concurrency pool.
enum DNSSocket {
    /// The largest UDP message we send or accept without EDNS (RFC 1035 §4.2.1).
    static let udpLimit = 512

    /// Sends `request` over UDP and returns the first datagram from `server` whose id is `id`.
    /// Datagrams with another id (a late answer to an earlier request, a spoof) are ignored.
    static func udp(_ request: [UInt8], id: UInt16, to server: DNSServer, timeout: Duration) throws(DNSTransportError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        let fd = try open(server, type: Int32(SOCK_DGRAM.rawValue))
        defer { close(fd) }
        try connectBlocking(fd, server, deadline: deadline, timeout: timeout)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw .system(call: "send to \(server)", reason: errnoText()) }
        var buffer = [UInt8](repeating: 0, count: 65_535)
        var ignored = 0
        while true {
            try wait(fd, for: Int16(POLLIN), deadline: deadline, timeout: timeout, ignored: ignored)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .system(call: "receive from \(server)", reason: errnoText())
            }
            // Too short to carry an id: a malformed answer for the parser to report.
            guard count >= 2 else { return Array(buffer[..<count]) }
            if UInt16(buffer[0]) << 8 | UInt16(buffer[1]) == id { return Array(buffer[..<count]) }
            ignored += 1
        }
    }

    /// Sends `request` over TCP with its two-byte length prefix (RFC 1035 §4.2.2) and reads one
    /// length-prefixed answer.
    static func tcp(_ request: [UInt8], to server: DNSServer, timeout: Duration) throws(DNSTransportError) -> [UInt8] {
        let deadline = ContinuousClock.now + timeout
        let fd = try open(server, type: Int32(SOCK_STREAM.rawValue))
        defer { close(fd) }
        try connectBlocking(fd, server, deadline: deadline, timeout: timeout)
        let framed = [UInt8(request.count >> 8), UInt8(truncatingIfNeeded: request.count)] + request
        var offset = 0
        while offset < framed.count {
            try wait(fd, for: Int16(POLLOUT), deadline: deadline, timeout: timeout, ignored: 0)
            let sent = framed[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent >= 0 else {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .system(call: "send to \(server)", reason: errnoText())
            }
            offset += sent
        }
        let prefix = try read(fd, count: 2, deadline: deadline, timeout: timeout, server: server)
        return try read(fd, count: Int(prefix[0]) << 8 | Int(prefix[1]), deadline: deadline, timeout: timeout,
                        server: server)
    }

    private static func read(
        _ fd: Int32, count: Int, deadline: ContinuousClock.Instant, timeout: Duration, server: DNSServer
    ) throws(DNSTransportError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            try wait(fd, for: Int16(POLLIN), deadline: deadline, timeout: timeout, ignored: 0)
            let received = buffer[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received == 0 { throw .closed(receivedBytes: offset) }
            guard received > 0 else {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .system(call: "receive from \(server)", reason: errnoText())
            }
            offset += received
        }
        return buffer
    }

    private static func open(_ server: DNSServer, type: Int32) throws(DNSTransportError) -> Int32 {
        let family = server.address.isIPv4 ? AF_INET : AF_INET6
        let fd = socket(family, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", reason: errnoText()) }
        return fd
    }

    /// Connects the non-blocking socket, waiting for a TCP handshake until the deadline.
    private static func connectBlocking(
        _ fd: Int32, _ server: DNSServer, deadline: ContinuousClock.Instant, timeout: Duration
    ) throws(DNSTransportError) {
        let result = withSocketAddress(server) { connect(fd, $0, $1) }
        if result == 0 { return }
        guard errno == EINPROGRESS else { throw .system(call: "connect to \(server)", reason: errnoText()) }
        try wait(fd, for: Int16(POLLOUT), deadline: deadline, timeout: timeout, ignored: 0)
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else { throw .system(call: "connect to \(server)", reason: String(cString: strerror(error))) }
    }

    /// Waits until `fd` is ready for `events`, or throws `timedOut` at the deadline.
    private static func wait(
        _ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant, timeout: Duration, ignored: Int
    ) throws(DNSTransportError) {
        while true {
            let left = deadline - ContinuousClock.now
            let leftMs = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard left > .zero else {
                throw .timedOut(afterMs: Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000),
                                ignoredWrongID: ignored)
            }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, max(1, leftMs))
            if ready > 0 {
                // An error or hang-up shows up in the following call with its errno.
                return
            }
            if ready < 0, errno != EINTR { throw .system(call: "poll", reason: errnoText()) }
        }
    }

    private static func withSocketAddress<T>(_ server: DNSServer, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        switch server.address {
        case .v4(let value):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = server.port.bigEndian
            address.sin_addr = in_addr(s_addr: value.bigEndian)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = server.port.bigEndian
            let bytes = server.address.bytes
            withUnsafeMutableBytes(of: &address.sin6_addr) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
