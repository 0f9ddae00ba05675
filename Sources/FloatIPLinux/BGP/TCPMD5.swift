import CFloatIPLinux
import FloatIPCore
import Glibc

/// RFC 2385 TCP-MD5 signatures on a BGP session's socket (`setsockopt(TCP_MD5SIG)`): every segment
/// to and from the peer carries a digest keyed with the shared password; the kernel drops segments
/// without the right one (so a wrong password looks like a peer that never answers).
public enum TCPMD5 {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Sets `password` (1–80 bytes) for segments with `peer` on the TCP socket `fd`, before connect.
    public static func set(_ password: [UInt8], peer: IPAddress, on fd: Int32) throws(Failure) {
        guard (1...Int(cfloatip_TCP_MD5_MAX_KEY)).contains(password.count) else {
            throw Failure(description: "a TCP-MD5 password is 1 to \(cfloatip_TCP_MD5_MAX_KEY) bytes; this one has \(password.count)")
        }
        var storage = sockaddr_storage()
        let length: socklen_t
        switch peer {
        case .v4(let value):
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { raw in
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = value.bigEndian
                raw.storeBytes(of: address, as: sockaddr_in.self)
            }
        case .v6:
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: socketAddress6(peer), as: sockaddr_in6.self) }
        }
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                cfloatip_tcp_md5(fd, address, length, password, Int32(password.count))
            }
        }
        guard result == 0 else {
            throw Failure(description: "cannot set the TCP-MD5 password for \(peer): \(String(cString: strerror(errno)))"
                + (errno == ENOENT || errno == ENOPROTOOPT ? " (the kernel lacks CONFIG_TCP_MD5SIG)" : ""))
        }
    }
}
