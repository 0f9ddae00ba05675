import CFloatIPLinux
import FloatIPCore
import Glibc

/// Sends unsolicited neighbour advertisements for IPv6 addresses through a raw ICMPv6 socket
/// (needs CAP_NET_RAW), to the all-nodes group ff02::1 on one interface.
///
/// Hop limits are 255 (RFC 4861 requires it; a neighbour drops an NA with less, and the default
/// multicast hop limit is 1). The kernel computes the ICMPv6 checksum. An ICMPv6 filter blocks every
/// incoming type, so nothing queues on a socket that never reads.
public final class UnsolicitedNA: Sendable {
    private let fd: Int32

    /// Opens the ICMPv6 socket in `namespace` (the current namespace if nil).
    /// Throws `SystemError` with EAFNOSUPPORT when IPv6 is disabled there.
    public init(namespace: String? = nil) throws {
        let fd: Int32
        do {
            fd = try NetworkNamespace.socket(
                in: namespace, domain: AF_INET6, type: Int32(SOCK_RAW.rawValue | SOCK_CLOEXEC.rawValue),
                protocol: Int32(IPPROTO_ICMPV6))
        } catch let error as SystemError where error.isPermission {
            throw AnnounceError.needsPermission(action: "sending unsolicited neighbour advertisements")
        }
        do {
            try Self.configure(fd)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }

    private static func configure(_ fd: Int32) throws(SystemError) {
        var hops: Int32 = 255
        let size = socklen_t(MemoryLayout<Int32>.size)
        try syscall("setsockopt IPV6_MULTICAST_HOPS") {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, &hops, size)
        }
        try syscall("setsockopt IPV6_UNICAST_HOPS") {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, &hops, size)
        }
        try setICMPv6Filter(fd, passing: [])
    }

    /// Sends one unsolicited NA for the IPv6 `address` on `interface`.
    public func send(_ address: IPAddress, on interface: InterfaceInfo) throws(AnnounceError) {
        guard case .v6 = address else {
            preconditionFailure("neighbour advertisements are for IPv6 addresses, not \(address)")
        }
        let message = NeighborAdvertisement.unsolicited(target: address.bytes, mac: interface.mac)
        var destination = sockaddr_in6()
        destination.sin6_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &destination.sin6_addr) { bytes in
            bytes.copyBytes(from: [0xFF, 0x02] + Array(repeating: 0, count: 13) + [0x01])  // ff02::1
        }
        destination.sin6_scope_id = UInt32(bitPattern: interface.index)
        do {
            try sendDatagram(fd, message, to: &destination)
        } catch {
            throw .failed(what: "unsolicited NA for \(address) on \(interface.name)", error)
        }
    }
}
