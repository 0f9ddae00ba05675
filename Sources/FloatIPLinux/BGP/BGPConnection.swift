import CFloatIPLinux
import FloatIPBGP
import FloatIPCore
import Glibc

/// One BGP session's TCP socket, non-blocking: a connect that completes later (`finishConnect`
/// once the socket is writable), bytes read as they come, messages written whole.
struct BGPConnection {
    let fd: Int32
    /// Until the handshake is done: poll for writable, not readable.
    var connecting: Bool

    /// Why a connection could not start.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts connecting to `peer` (TCP-MD5 with `password`) from the namespace `namespace` (the
    /// current one if nil); throws the reason it cannot.
    static func open(to peer: BGPPeerSettings, password: [UInt8]?, namespace: String? = nil) throws(Failure) -> BGPConnection {
        let family = peer.address.isIPv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue)
        let fd: Int32
        do {
            fd = try NetworkNamespace.socket(in: namespace, domain: family, type: type, protocol: 0)
        } catch {
            throw Failure(description: "socket: \(error)")
        }
        do throws(Failure) {
            if let password {
                do {
                    try TCPMD5.set(password, peer: peer.address, on: fd)
                } catch {
                    throw Failure(description: "TCP-MD5 for \(peer.address): \(error)")
                }
            }
            // BGP's DSCP (CS6, as BIRD and FRR mark it) so a busy link drops it last.
            var tos: Int32 = 0xC0
            if peer.address.isIPv4 {
                _ = setsockopt(fd, Int32(IPPROTO_IP), IP_TOS, &tos, socklen_t(MemoryLayout<Int32>.size))
            } else {
                _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_TCLASS, &tos, socklen_t(MemoryLayout<Int32>.size))
            }
            let result: Int32
            switch peer.address {
            case .v4(let value):
                var address = socketAddress4(value, port: peer.port)
                result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            case .v6:
                var address = socketAddress6(peer.address)
                address.sin6_port = peer.port.bigEndian
                result = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                }
            }
            if result == 0 { return BGPConnection(fd: fd, connecting: false) }
            guard errno == EINPROGRESS else {
                throw Failure(description: "connect to \(peer.address) port \(peer.port): \(String(cString: strerror(errno)))")
            }
            return BGPConnection(fd: fd, connecting: true)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// After the socket became writable: nil when connected, else why not.
    func connectResult() -> String? {
        var problem: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &length) == 0 else { return String(cString: strerror(errno)) }
        return problem == 0 ? nil : String(cString: strerror(problem))
    }

    enum Read {
        case bytes([UInt8])
        case nothing
        case closed(String)
    }

    /// What has arrived.
    func read() -> Read {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count > 0 { return .bytes(Array(buffer.prefix(count))) }
        if count == 0 { return .closed("the peer closed the connection") }
        if errno == EAGAIN || errno == EINTR { return .nothing }
        return .closed(String(cString: strerror(errno)))
    }

    /// Writes `bytes` whole; nil, or why it could not (a send buffer full of unread messages counts
    /// as a dead peer: BGP's messages are small and a live peer reads them).
    func write(_ bytes: [UInt8]) -> String? {
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        if sent == bytes.count { return nil }
        if sent >= 0 || errno == EAGAIN { return "the peer does not read (send buffer full)" }
        return String(cString: strerror(errno))
    }

    func close() { _ = Glibc.close(fd) }
}
