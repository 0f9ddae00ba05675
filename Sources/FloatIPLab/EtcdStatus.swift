import FloatIPLinux
import Foundation
import Glibc

/// etcd's `/v3/maintenance/status`, asked over plain HTTP/1.1 on a socket of its own (made in a
/// namespace where the member is only reachable from there), for the lab's etcd and the tests'.
/// Blocking, and bounded: 1 s each to connect, send and read.
public enum EtcdStatus {
    /// The member's id and the id of the leader it knows, or nil (no answer, or not etcd's).
    public static func status(of address: String, port: UInt16, namespace: String?) -> (member: UInt64, leader: UInt64)? {
        guard let answer = post("/v3/maintenance/status", to: address, port: port, namespace: namespace),
            let start = answer.range(of: "\r\n\r\n"),
            let object = try? JSONSerialization.jsonObject(with: Data(answer[start.upperBound...].utf8)) as? [String: Any],
            let header = object["header"] as? [String: Any],
            let member = (header["member_id"] as? String).flatMap(UInt64.init),
            let leader = (object["leader"] as? String).flatMap(UInt64.init)
        else { return nil }
        return (member, leader)
    }

    /// One POST of `body` to `address`:`port` from `namespace` (nil: this one); the raw answer,
    /// or nil when the connection or the send failed.
    public static func post(_ path: String, body: String = "{}", to address: String, port: UInt16, namespace: String?) -> String? {
        guard let fd = try? NetworkNamespace.socket(
            in: namespace, domain: AF_INET, type: Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), protocol: 0)
        else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var target = LabWire.socketAddress(address, port: port)
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        let request = Array(("POST \(path) HTTP/1.1\r\nHost: \(address)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)").utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        // At most 64 KiB: a status answer is a few hundred bytes.
        while answer.count < 65_536 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
