import CFloatIPLinux
import FloatIPCore
import Glibc

/// Raw sockets of protocol 112 (VRRP) on one interface, IPv4 or IPv6 by `source`: one joins the group
/// (224.0.0.18 or ff02::12) there and hands each advertisement to the speaker with its envelope
/// (source, destination, TTL or hop limit); one sends with TTL or hop limit 255 from `source` (the
/// node's IPv4 address; over IPv6 the interface's link-local address, as RFC 5798 wants, or for
/// unicast the node's IPv6 address, keepalived's `unicast_src_ip`). Needs CAP_NET_RAW.
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
    private let interfaceIndex: Int32

    /// Opens the sockets in `namespace` (nil: this process's), bound to `interface`, the sending one
    /// to `source` (the advertisements' source address, and the checksum's), the receiving one
    /// joined to the VRRP group of `source`'s family.
    public init(interface: String, source: IPAddress, namespace: String? = nil) throws {
        let family = source.isIPv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_RAW.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        fd = try NetworkNamespace.socket(in: namespace, domain: family, type: type, protocol: Int32(VRRPCodecProtocol.number))
        do {
            sendFD = try NetworkNamespace.socket(in: namespace, domain: family, type: type, protocol: Int32(VRRPCodecProtocol.number))
        } catch {
            close(fd)
            throw error
        }
        self.source = source
        do {
            let info = try InterfaceInfo.lookup(interface, using: fd)
            interfaceIndex = info.index
            for socket in [fd, sendFD] {
                try setSocketOption(socket, SOL_SOCKET, SO_BINDTODEVICE, Array(interface.utf8) + [0], "SO_BINDTODEVICE \(interface)")
            }
            // The sending socket reads nothing: the smallest buffer the kernel allows.
            try setSocketOption(sendFD, SOL_SOCKET, SO_RCVBUF, Int32(0), "SO_RCVBUF")
            if case .v4(let own) = source {
                try Self.setUpIPv4(receive: fd, send: sendFD, own: own, index: info.index)
            } else {
                try Self.setUpIPv6(receive: fd, send: sendFD, source: source, index: info.index)
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

    /// The first link-local address of `interface` in this process's namespace: an IPv6 virtual
    /// router's advertisements come from it.
    public static func linkLocalAddress(of interface: String) throws(SystemError) -> IPAddress {
        var address = in6_addr()
        guard cfloatip_link_local(interface, &address) == 0 else {
            throw SystemError(call: "the link-local IPv6 address of \(interface)", errno: errno)
        }
        return IPAddress(bytes: withUnsafeBytes(of: address) { Array($0) })!
    }

    /// Sends one VRRP message to `destination` (the group, or a unicast peer).
    public func send(_ message: [UInt8], to destination: IPAddress) throws(SystemError) {
        try sendDatagram(sendFD, message, to: destination, scope: interfaceIndex)
    }

    /// The next advertisement waiting, with its envelope (or why its packet is no advertisement), or
    /// nil when none is.
    public func receive() throws(SystemError) -> Result<(envelope: VRRPEnvelope, message: ArraySlice<UInt8>), VRRPError>? {
        var buffer = [UInt8](repeating: 0, count: 1500)
        if source.isIPv4 {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard let count = try Self.received(count) else { return nil }
            return Result { () throws(VRRPError) in try VRRPCodec.splitIPv4Packet(Array(buffer.prefix(count))) }
        }
        var from = sockaddr_in6()
        var hopLimit: Int32 = -1
        var destination = in6_addr()
        let count = cfloatip_recv_ipv6(fd, &buffer, buffer.count, &from, &hopLimit, &destination)
        guard let count = try Self.received(count) else { return nil }
        let envelope = VRRPEnvelope(
            source: IPAddress(bytes: withUnsafeBytes(of: from.sin6_addr) { Array($0) })!,
            destination: IPAddress(bytes: withUnsafeBytes(of: destination) { Array($0) })!,
            // No hop limit reported cannot pass as 255.
            hopLimit: UInt8(clamping: hopLimit < 0 ? 0 : hopLimit))
        return .success((envelope, buffer.prefix(count)))
    }

    /// A receive call's count, nil for "nothing waiting", or its error.
    private static func received(_ count: Int) throws(SystemError) -> Int? {
        guard count < 0 else { return count }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return nil }
        throw SystemError(call: "recv", errno: errno)
    }

    private static func setUpIPv4(receive: Int32, send: Int32, own: UInt32, index: Int32) throws(SystemError) {
        var request = ip_mreqn()
        request.imr_multiaddr.s_addr = UInt32(0xe000_0012).bigEndian
        request.imr_address.s_addr = own.bigEndian
        request.imr_ifindex = index
        try setSocketOption(receive, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, request, "IP_ADD_MEMBERSHIP 224.0.0.18")
        try setSocketOption(send, Int32(IPPROTO_IP), IP_TTL, Int32(255), "IP_TTL")
        try setSocketOption(send, Int32(IPPROTO_IP), IP_MULTICAST_TTL, Int32(255), "IP_MULTICAST_TTL")
        try setSocketOption(send, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, Int32(0), "IP_MULTICAST_LOOP")
        try setSocketOption(send, Int32(IPPROTO_IP), IP_MULTICAST_IF, request, "IP_MULTICAST_IF")
        var address = socketAddress4(own)
        try bindSocket(send, &address, "\(IPAddress.v4(own))")
    }

    private static func setUpIPv6(receive: Int32, send: Int32, source: IPAddress, index: Int32) throws(SystemError) {
        var request = ipv6_mreq()
        withUnsafeMutableBytes(of: &request.ipv6mr_multiaddr) { $0.copyBytes(from: VRRPEnvelope.multicastGroup(ipv6: true).bytes) }
        request.ipv6mr_interface = UInt32(index)
        // (in6_addr is a C union: passed as its bytes.)
        try setSocketOption(receive, Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, withUnsafeBytes(of: request) { Array($0) }, "IPV6_ADD_MEMBERSHIP ff02::12")
        try setSocketOption(receive, Int32(IPPROTO_IPV6), cfloatip_IPV6_RECVHOPLIMIT, Int32(1), "IPV6_RECVHOPLIMIT")
        try setSocketOption(receive, Int32(IPPROTO_IPV6), cfloatip_IPV6_RECVPKTINFO, Int32(1), "IPV6_RECVPKTINFO")
        try setSocketOption(send, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, Int32(255), "IPV6_UNICAST_HOPS")
        try setSocketOption(send, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, Int32(255), "IPV6_MULTICAST_HOPS")
        try setSocketOption(send, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, Int32(0), "IPV6_MULTICAST_LOOP")
        try setSocketOption(send, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, Int32(index), "IPV6_MULTICAST_IF")
        var address = socketAddress6(source, scope: index)
        try bindSocket(send, &address, "\(source)")
    }
}

/// VRRP's IP protocol number.
enum VRRPCodecProtocol {
    static let number: UInt8 = 112
}
