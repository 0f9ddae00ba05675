import CFloatIPLinux
import FloatIPCore
import Glibc

/// Raw IPv4 sockets of protocol 112 (VRRP) on one interface: one joins 224.0.0.18 there and hands
/// whole packets (IP header included, so the receiver can check the TTL) to
/// `VRRPCodec.splitIPv4Packet`; one sends with TTL 255 from the node's own address. Needs CAP_NET_RAW.
///
/// Two, because a raw socket bound to an address receives only packets sent to that address: bound,
/// it would never see the group's advertisements; unbound, its unicast advertisements would leave
/// from whatever address the route prefers, and keepalived drops those from an address that is not
/// a `unicast_peer`.
public final class VRRPSocket: @unchecked Sendable {
    /// The receiving socket (poll it; `receive` reads it).
    public let fd: Int32
    private let sendFD: Int32
    public let source: IPAddress

    /// Opens the socket in `namespace` (nil: this process's), bound to `interface` and to `source`
    /// (the advertisements' source address, and the checksum's), joined to the VRRP group.
    public init(interface: String, source: IPAddress, namespace: String? = nil) throws {
        guard case .v4(let own) = source else { throw SystemError(call: "VRRP over IPv6 (not yet)", errno: EAFNOSUPPORT) }
        let type = Int32(SOCK_RAW.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        fd = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: type, protocol: Int32(VRRPCodecProtocol.number))
        do {
            sendFD = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: type, protocol: Int32(VRRPCodecProtocol.number))
        } catch {
            close(fd)
            throw error
        }
        self.source = source
        do {
            let info = try InterfaceInfo.lookup(interface, using: fd)
            var request = ip_mreqn()
            request.imr_multiaddr.s_addr = UInt32(0xe000_0012).bigEndian
            request.imr_address.s_addr = own.bigEndian
            request.imr_ifindex = info.index
            for socket in [fd, sendFD] {
                try Self.set(socket, SOL_SOCKET, SO_BINDTODEVICE, Array(interface.utf8) + [0], "SO_BINDTODEVICE \(interface)")
            }
            try Self.set(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, request, "IP_ADD_MEMBERSHIP 224.0.0.18")
            try Self.set(sendFD, Int32(IPPROTO_IP), IP_TTL, Int32(255), "IP_TTL")
            try Self.set(sendFD, Int32(IPPROTO_IP), IP_MULTICAST_TTL, Int32(255), "IP_MULTICAST_TTL")
            try Self.set(sendFD, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, Int32(0), "IP_MULTICAST_LOOP")
            try Self.set(sendFD, Int32(IPPROTO_IP), IP_MULTICAST_IF, request, "IP_MULTICAST_IF")
            // The sending socket reads nothing: the smallest buffer the kernel allows.
            try Self.set(sendFD, SOL_SOCKET, SO_RCVBUF, Int32(0), "SO_RCVBUF")
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = own.bigEndian
            try syscall("bind \(source)") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sendFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
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

    /// Sends one VRRP message to `destination` (the group, or a unicast peer).
    public func send(_ message: [UInt8], to destination: IPAddress) throws(SystemError) {
        guard case .v4(let value) = destination else { throw SystemError(call: "sendto \(destination)", errno: EAFNOSUPPORT) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_addr.s_addr = value.bigEndian
        try sendDatagram(sendFD, message, to: &target, flags: Int32(MSG_DONTWAIT))
    }

    /// The next whole packet waiting, or nil when none is.
    public func receive() throws(SystemError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 1500)
        let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            if errno == EINTR { return try receive() }
            throw SystemError(call: "recv", errno: errno)
        }
        return Array(buffer.prefix(count))
    }

    private static func set<Value: BitwiseCopyable>(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Value, _ name: String) throws(SystemError) {
        var copy = value
        try syscall("setsockopt \(name)") { setsockopt(fd, level, option, &copy, socklen_t(MemoryLayout<Value>.size)) }
    }

    private static func set(_ fd: Int32, _ level: Int32, _ option: Int32, _ bytes: [UInt8], _ name: String) throws(SystemError) {
        try syscall("setsockopt \(name)") { bytes.withUnsafeBytes { setsockopt(fd, level, option, $0.baseAddress, socklen_t($0.count)) } }
    }
}

/// VRRP's IP protocol number.
enum VRRPCodecProtocol {
    static let number: UInt8 = 112
}
