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

    /// TCP_MD5SIG (linux/tcp.h) and its key's longest length.
    static let option: Int32 = 14
    public static let maximumKeyLength = 80

    /// Sets `password` (1–80 bytes) for segments with `peer` on the TCP socket `fd`, before connect.
    public static func set(_ password: [UInt8], peer: IPAddress, on fd: Int32) throws(Failure) {
        guard (1...maximumKeyLength).contains(password.count) else {
            throw Failure(description: "a TCP-MD5 password is 1 to \(maximumKeyLength) bytes; this one has \(password.count)")
        }
        // struct tcp_md5sig: sockaddr_storage (128 bytes), flags, prefix length, key length (16 bits,
        // host order), 4 bytes of padding, then the key (80 bytes).
        var argument = [UInt8](repeating: 0, count: 128 + 1 + 1 + 2 + 4 + maximumKeyLength)
        switch peer {
        case .v4(let value):
            withUnsafeBytes(of: socketAddress4(value)) { argument.replaceSubrange(0..<$0.count, with: $0) }
        case .v6:
            withUnsafeBytes(of: socketAddress6(peer)) { argument.replaceSubrange(0..<$0.count, with: $0) }
        }
        withUnsafeBytes(of: UInt16(password.count)) { argument.replaceSubrange(130..<132, with: $0) }
        argument.replaceSubrange(136..<136 + password.count, with: password)
        let result = argument.withUnsafeBytes {
            setsockopt(fd, Int32(IPPROTO_TCP), option, $0.baseAddress, socklen_t($0.count))
        }
        guard result == 0 else {
            throw Failure(description: "cannot set the TCP-MD5 password for \(peer): \(String(cString: strerror(errno)))"
                + (errno == ENOENT || errno == ENOPROTOOPT ? " (the kernel lacks CONFIG_TCP_MD5SIG)" : ""))
        }
    }
}
