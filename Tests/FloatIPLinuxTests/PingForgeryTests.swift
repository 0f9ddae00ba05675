import FloatIPCore
import Foundation
import Glibc
import Testing

@testable import FloatIPLinux

/// Host b (198.18.0.2, and 198.18.0.3 on the same interface) ignores echo requests; an `EchoForger` in b
/// sees each request from a (the pinger, 198.18.0.1) and answers it with a reply of its making: one
/// right in every field, a recorded one (an earlier request's payload under the new identifier and
/// sequence), one from b's other address, and one with a payload of its own. Only the first may end
/// a ping with a round trip.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct PingForgeryTests {
    private let b4 = IPAddress("198.18.0.2")!

    @Test(arguments: [Pinger.Mode.raw, .datagram])
    func forgedAndRecordedRepliesDoNotCount(mode: Pinger.Mode) async throws {
        let lab = try AnnounceLab(hosts: ["a", "b"])
        try lab.network.exec(lab["b"], "sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1")
        try lab.network.ip(lab["b"], "addr", "add", "198.18.0.3/24", "dev", "eth0")
        if mode == .datagram {
            try lab.network.exec(lab["a"], "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
        }
        let forger = try EchoForger(namespace: lab["b"], addresses: ["198.18.0.2", "198.18.0.3"])
        defer { forger.close() }
        let pinger = try Pinger(namespace: lab["a"], mode: mode)

        // b's kernel is silent.
        #expect(try await pinger.ping(b4, timeout: .milliseconds(300)) == nil)
        forger.drain()

        // A reply right in every field ends the ping: the forger's replies reach the pinger.
        async let genuine = offPool { try forger.answerNext(with: .echo) }
        let rtt = try await pinger.ping(b4, timeout: .seconds(2))
        let first = try #require(try await genuine, "the forger saw no request")
        #expect(rtt != nil, "a correct reply was not taken")
        #expect(first.payload.count == 16)

        // A recorded reply: the first request's payload, under the new request's identifier and sequence.
        forger.drain()
        async let replayed = offPool { try forger.answerNext(with: .payload(first.payload)) }
        #expect(try await pinger.ping(b4, timeout: .milliseconds(700)) == nil, "a recorded reply was taken")
        let second = try #require(try await replayed)
        #expect(second.payload != first.payload, "every request has a payload of its own")

        // Right identifier, sequence and payload, from another address than the target's.
        forger.drain()
        async let elsewhere = offPool { try forger.answerNext(with: .echo, from: "198.18.0.3") }
        #expect(try await pinger.ping(b4, timeout: .milliseconds(700)) == nil, "a reply from 198.18.0.3 was taken")
        #expect(try await elsewhere != nil)

        // A payload of the forger's own.
        forger.drain()
        async let guessed = offPool { try forger.answerNext(with: .payload((0..<16).map { _ in UInt8.random(in: 0...255) })) }
        #expect(try await pinger.ping(b4, timeout: .milliseconds(700)) == nil, "a guessed payload was taken")
        #expect(try await guessed != nil)

        #expect(pinger.rejectedReplies == 3)
    }
}

/// Raw ICMP sockets in a namespace: one that reads the echo requests arriving there, and one bound to
/// each of `addresses` to send replies from. Every wait is bounded.
final class EchoForger: Sendable {
    /// What a request carried.
    struct Request: Sendable {
        var source: UInt32
        var identifier: UInt16
        var sequence: UInt16
        var payload: [UInt8]
    }

    enum Answer: Sendable {
        /// Echo the request's payload.
        case echo
        /// Send this payload instead.
        case payload([UInt8])
    }

    private let listener: Int32
    private let senders: [String: Int32]

    init(namespace: String, addresses: [String]) throws {
        listener = try NetworkNamespace.socket(
            in: namespace, domain: AF_INET, type: Int32(SOCK_RAW.rawValue | SOCK_CLOEXEC.rawValue),
            protocol: Int32(IPPROTO_ICMP))
        var senders: [String: Int32] = [:]
        for address in addresses {
            let fd = try NetworkNamespace.socket(
                in: namespace, domain: AF_INET, type: Int32(SOCK_RAW.rawValue | SOCK_CLOEXEC.rawValue),
                protocol: Int32(IPPROTO_ICMP))
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(address)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw SystemError(call: "bind \(address)", errno: errno) }
            senders[address] = fd
        }
        self.senders = senders
    }

    func close() {
        Glibc.close(listener)
        for fd in senders.values { Glibc.close(fd) }
    }

    /// Waits (at most `limit`) for the next echo request, answers it from `from`, and returns it; nil
    /// when none came. Requests that arrived before the call (earlier pings) are dropped first.
    func answerNext(
        with answer: Answer, from: String = "198.18.0.2", limit: Duration = .seconds(2)
    ) throws -> Request? {
        guard let request = nextRequest(limit: limit) else { return nil }
        let payload: [UInt8]
        switch answer {
        case .echo: payload = request.payload
        case .payload(let other): payload = other
        }
        var reply: [UInt8] = [0, 0, 0, 0]
        reply += [UInt8(request.identifier >> 8), UInt8(request.identifier & 0xFF)]
        reply += [UInt8(request.sequence >> 8), UInt8(request.sequence & 0xFF)]
        reply += payload
        let checksum = internetChecksum(reply)
        reply[2] = UInt8(checksum >> 8)
        reply[3] = UInt8(checksum & 0xFF)
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_addr.s_addr = request.source
        try sendDatagram(senders[from]!, reply, to: &destination)
        return request
    }

    /// Drops what the listener has read so far (the requests of earlier pings).
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        // Bounded: a test sends a handful of requests.
        for _ in 0..<1000 {
            let count = buffer.withUnsafeMutableBytes { recv(listener, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 { return }
        }
    }

    /// The next echo request read by the listener (its IP header skipped), within `limit`.
    private func nextRequest(limit: Duration) -> Request? {
        let end = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 2048)
        while ContinuousClock.now < end {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(listener, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count >= 28 else { continue }
            let headerLength = Int(buffer[0] & 0x0F) * 4
            guard count >= headerLength + 8, buffer[headerLength] == 8 else { continue }  // type 8: echo request
            let source = buffer[12..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            let icmp = Array(buffer[headerLength..<count])
            return Request(
                source: source, identifier: UInt16(icmp[4]) << 8 | UInt16(icmp[5]),
                sequence: UInt16(icmp[6]) << 8 | UInt16(icmp[7]), payload: Array(icmp[8...]))
        }
        return nil
    }
}
