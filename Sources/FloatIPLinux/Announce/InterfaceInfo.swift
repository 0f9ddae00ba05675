import CFloatIPLinux
import Glibc

/// What the announcers need to know about an interface: its index and its Ethernet address.
///
/// Read with SIOCGIFINDEX / SIOCGIFHWADDR on a socket, so the answer comes from the namespace the
/// socket was opened in (if_nametoindex would ask the calling thread's namespace instead).
public struct InterfaceInfo: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    /// The kernel's interface index (`ip link` shows it first).
    public var index: Int32
    /// The six bytes of the interface's MAC address.
    public var mac: [UInt8]

    public init(name: String, index: Int32, mac: [UInt8]) {
        self.name = name
        self.index = index
        self.mac = mac
    }

    /// `eth0 (index 2, 02:00:5e:00:00:01)`.
    public var description: String { "\(name) (index \(index), \(InterfaceInfo.macText(mac)))" }

    /// Looks up `name` in `namespace` (the current namespace if nil) through a short-lived socket.
    public static func lookup(_ name: String, namespace: String? = nil) throws -> InterfaceInfo {
        let type = Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = try NetworkNamespace.socket(in: namespace, domain: AF_INET, type: type, protocol: 0)
        defer { close(fd) }
        return try lookup(name, using: fd)
    }

    /// Looks up `name` through an open socket of any family: the namespace is the socket's.
    static func lookup(_ name: String, using fd: Int32) throws(AnnounceError) -> InterfaceInfo {
        var request = ifreq()
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count < Int(IFNAMSIZ) else { throw .interfaceNameTooLong(name) }
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { buffer in
            for (offset, byte) in bytes.enumerated() { buffer[offset] = byte }
        }
        do {
            try syscall("ioctl SIOCGIFINDEX \(name)") { ioctl(fd, UInt(SIOCGIFINDEX), &request) }
        } catch {
            throw error.errno == ENODEV ? .noSuchInterface(name) : .failed(what: "looking up \(name)", error)
        }
        let index = request.ifr_ifru.ifru_ivalue
        do {
            try syscall("ioctl SIOCGIFHWADDR \(name)") { ioctl(fd, UInt(SIOCGIFHWADDR), &request) }
        } catch {
            throw error.errno == ENODEV ? .noSuchInterface(name) : .failed(what: "looking up \(name)", error)
        }
        guard Int32(request.ifr_ifru.ifru_hwaddr.sa_family) == Int32(ARPHRD_ETHER) else { throw .notEthernet(name) }
        let mac = withUnsafeBytes(of: request.ifr_ifru.ifru_hwaddr.sa_data) { Array($0.prefix(6)) }
        return InterfaceInfo(name: name, index: index, mac: mac)
    }

    /// `aa:bb:cc:dd:ee:ff`.
    static func macText(_ mac: [UInt8]) -> String {
        mac.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined(separator: ":")
    }
}
