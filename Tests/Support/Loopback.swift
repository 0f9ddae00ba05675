import Foundation
import Glibc

/// Loopback helpers for tests that start a server process: whether it listens yet, and a free port.
public enum Loopback {
    /// Whether a TCP connection to 127.0.0.1:`port` is accepted now.
    public static func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A TCP port on 127.0.0.1 that is free now; nil if none could be bound.
    public static func freePort() -> Int? { (try? freePorts(1)).map { Int($0[0]) } }

    /// `count` distinct ports on 127.0.0.1 free now for TCP (and for UDP too with `udp`): the kernel
    /// picks each, and they are held open together so they differ. Each is tried at most 20 times.
    public static func freePorts(_ count: Int, udp: Bool = false) throws -> [UInt16] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [UInt16] = []
        for _ in 0..<count {
            var found: UInt16?
            for _ in 0..<20 where found == nil {
                let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                let other = udp ? socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0) : -1
                sockets += [tcp, other].filter { $0 >= 0 }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let bound = withUnsafeMutablePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                        bind(tcp, pointer, length) == 0 && getsockname(tcp, pointer, &length) == 0
                            && (!udp || bind(other, pointer, length) == 0)
                    }
                }
                if bound { found = UInt16(bigEndian: address.sin_port) }
            }
            guard let found else {
                throw CommandError(arguments: ["bind"], status: -1, stderr: "no free port on 127.0.0.1")
            }
            ports.append(found)
        }
        return ports
    }
}
