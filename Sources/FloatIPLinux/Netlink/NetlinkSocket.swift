import CFloatIPLinux
import Glibc

/// The system calls of a NETLINK_ROUTE socket: open (in a namespace), options, send, receive.
/// Owns no state beyond the descriptor; callers serialise use and close it.
struct NetlinkSocket: Sendable {
    /// Receive buffer for one datagram: dumps arrive in datagrams of up to 32 KiB.
    static let datagramLimit = 64 * 1024

    let fd: Int32

    /// A bound NETLINK_ROUTE socket in `namespace` (nil: the current one), with extended acks on
    /// and error echoes capped to the request's header.
    static func open(namespace: String?) throws(SystemError) -> NetlinkSocket {
        let type = Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd: Int32
        do {
            fd = try NetworkNamespace.socket(in: namespace, domain: AF_NETLINK, type: type, protocol: RT.protocolRoute)
        } catch let error as SystemError {
            throw error
        } catch {
            throw SystemError(call: "socket", errno: EINVAL)
        }
        let socket = NetlinkSocket(fd: fd)
        do {
            var address = sockaddr_nl()
            address.nl_family = sa_family_t(AF_NETLINK)
            try syscall("bind netlink") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                    }
                }
            }
            try socket.setOption(SOL_NETLINK, RT.optionExtendedAck, 1, name: "NETLINK_EXT_ACK")
            try socket.setOption(SOL_NETLINK, RT.optionCapAck, 1, name: "NETLINK_CAP_ACK")
        } catch {
            Glibc.close(fd)
            throw error
        }
        return socket
    }

    func setOption(_ level: Int32, _ option: Int32, _ value: Int32, name: String) throws(SystemError) {
        var value = value
        try syscall("setsockopt \(name)") {
            setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Bounds every blocking receive (SO_RCVTIMEO): a receive that times out fails with EAGAIN.
    func setReceiveTimeout(seconds: Int) throws(SystemError) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        try syscall("setsockopt SO_RCVTIMEO") {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    func send(_ bytes: [UInt8]) throws(SystemError) {
        let sent = try syscall("send netlink") { bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }
        guard sent == bytes.count else { throw SystemError(call: "send netlink (short write)", errno: EMSGSIZE) }
    }

    /// Receives one datagram (blocking unless `flags` has MSG_DONTWAIT). A datagram larger than
    /// the buffer is an error (MSG_TRUNC reports its real size), not silently cut.
    func receive(flags: Int32 = 0) throws(SystemError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Self.datagramLimit)
        let count = try syscall("recv netlink") {
            buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, flags | Int32(MSG_TRUNC)) }
        }
        guard count <= buffer.count else { throw SystemError(call: "recv netlink (datagram of \(count) bytes)", errno: EMSGSIZE) }
        buffer.removeSubrange(Int(count)...)
        return buffer
    }

    func close() { _ = Glibc.close(fd) }
}
