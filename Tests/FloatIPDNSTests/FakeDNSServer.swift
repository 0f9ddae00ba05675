@testable import FloatIPDNS
import Foundation
import Synchronization

/// A scripted DNS server on 127.0.0.1 (UDP and TCP on one port) for answers BIND never gives:
/// wrong ids, garbage, truncation, silence. `answer` gets each request and whether it came over
/// TCP, and returns the datagrams (UDP) or the one message (TCP) to send back. It serves on a
/// thread of its own for at most 30 s, and stops on `stop()` or deinit.
final class FakeDNSServer: Sendable {
    let port: UInt16
    private let udp: Int32
    private let tcp: Int32
    private let stopped = Atomic<Bool>(false)
    let requests = Mutex<[(bytes: [UInt8], tcp: Bool)]>([])

    init(answer: @escaping @Sendable (_ request: [UInt8], _ tcp: Bool) -> [[UInt8]]) throws {
        var found: (udp: Int32, tcp: Int32, port: UInt16)?
        for _ in 0..<20 where found == nil {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(udp, $0, length) == 0 && getsockname(udp, $0, &length) == 0
                }
            }
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, length) == 0 && listen(tcp, 4) == 0 }
            }
            if bound, address.sin_port != 0 {
                found = (udp, tcp, UInt16(bigEndian: address.sin_port))
            } else {
                close(udp)
                close(tcp)
            }
        }
        guard let found else { throw DNSTransportError.system(call: "bind", reason: "no free port") }
        (udp, tcp, port) = (found.udp, found.tcp, found.port)
        let thread = Thread { [self] in serve(answer) }
        thread.start()
    }

    deinit { stop() }

    var server: DNSServer { DNSServer(address: .ipv4(127, 0, 0, 1), port: port) }

    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        usleep(60_000)  // the serving thread notices within one poll interval
        close(udp)
        close(tcp)
    }

    private func serve(_ answer: @Sendable ([UInt8], Bool) -> [[UInt8]]) {
        let end = Date().addingTimeInterval(30)
        var buffer = [UInt8](repeating: 0, count: 65_535)
        while !stopped.load(ordering: .sequentiallyConsistent), Date() < end {
            var fds = [pollfd(fd: udp, events: Int16(POLLIN), revents: 0), pollfd(fd: tcp, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, 50) > 0 else { continue }
            if fds[0].revents & Int16(POLLIN) != 0 {
                var peer = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        buffer.withUnsafeMutableBytes { recvfrom(udp, $0.baseAddress, $0.count, 0, address, &length) }
                    }
                }
                guard count > 0 else { continue }
                let request = Array(buffer[..<count])
                requests.withLock { $0.append((request, false)) }
                for datagram in answer(request, false) {
                    _ = withUnsafePointer(to: &peer) { pointer in
                        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                            datagram.withUnsafeBytes { sendto(udp, $0.baseAddress, $0.count, 0, address, length) }
                        }
                    }
                }
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let connection = accept(tcp, nil, nil)
                guard connection >= 0 else { continue }
                var timeout = timeval(tv_sec: 2, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var prefix = [UInt8](repeating: 0, count: 2)
                if recv(connection, &prefix, 2, Int32(MSG_WAITALL)) == 2 {
                    var request = [UInt8](repeating: 0, count: Int(prefix[0]) << 8 | Int(prefix[1]))
                    if request.isEmpty || recv(connection, &request, request.count, Int32(MSG_WAITALL)) == request.count {
                        requests.withLock { $0.append((request, true)) }
                        if let reply = answer(request, true).first {
                            let framed = [UInt8(reply.count >> 8), UInt8(truncatingIfNeeded: reply.count)] + reply
                            _ = send(connection, framed, framed.count, Int32(MSG_NOSIGNAL))
                        }
                    }
                }
                close(connection)
            }
        }
    }
}

/// An answer to `request` (its id and question) with one A record, optionally with the TC bit.
func answering(_ request: [UInt8], address: String = "198.18.0.1", truncated: Bool = false) -> [UInt8] {
    guard var message = try? DNSMessage.parse(request).message else { return [] }
    message.isResponse = true
    message.truncated = truncated
    message.additional = []
    if !truncated, let question = message.questions.first {
        message.answers = [DNSRecord(name: question.name, address: FloatIPDNSTests.address(address), ttl: 30)]
    }
    return (try? message.encoded()) ?? []
}
