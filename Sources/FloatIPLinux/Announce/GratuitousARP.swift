import CFloatIPLinux
import FloatIPCore
import Glibc

/// Sends gratuitous ARP frames for IPv4 addresses through an AF_PACKET socket (needs CAP_NET_RAW).
///
/// The socket is SOCK_RAW (the frame is built here, Ethernet header included, see `ARPFrame`) and
/// is opened with protocol 0, so the kernel queues no received frames on it: it only sends, and each
/// frame names ETH_P_ARP and the interface in its destination address.
public final class GratuitousARP: Sendable {
    private let fd: Int32

    /// Opens the packet socket in `namespace` (the current namespace if nil).
    public init(namespace: String? = nil) throws {
        do {
            fd = try NetworkNamespace.socket(
                in: namespace, domain: AF_PACKET, type: Int32(SOCK_RAW.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
        } catch let error as SystemError where error.isPermission {
            throw AnnounceError.needsPermission(action: "sending gratuitous ARP")
        }
    }

    deinit { close(fd) }

    /// The interface `name` in this socket's namespace.
    public func interface(named name: String) throws(AnnounceError) -> InterfaceInfo {
        try InterfaceInfo.lookup(name, using: fd)
    }

    /// Sends the frames of `form` for the IPv4 `address` on `interface`.
    public func send(_ address: IPAddress, on interface: InterfaceInfo, form: ARPForm) throws(AnnounceError) {
        guard case .v4(let value) = address else {
            preconditionFailure("gratuitous ARP is for IPv4 addresses, not \(address)")
        }
        for operation in form.operations {
            let frame = ARPFrame.gratuitous(operation, address: value, mac: interface.mac)
            do {
                try send(frame: frame, on: interface)
            } catch {
                throw .failed(what: "gratuitous ARP \(operation) for \(address) on \(interface.name)", error)
            }
        }
    }

    /// Sends one complete Ethernet frame carrying ARP on `interface` (tests send hand-made frames).
    func send(frame: [UInt8], on interface: InterfaceInfo) throws(SystemError) {
        var destination = sockaddr_ll()
        destination.sll_family = UInt16(AF_PACKET)
        destination.sll_protocol = UInt16(ETH_P_ARP).bigEndian
        destination.sll_ifindex = interface.index
        destination.sll_halen = 6
        withUnsafeMutableBytes(of: &destination.sll_addr) { bytes in
            for (offset, byte) in frame.prefix(6).enumerated() { bytes[offset] = byte }  // Ethernet destination
        }
        try sendDatagram(fd, frame, to: &destination)
    }
}
