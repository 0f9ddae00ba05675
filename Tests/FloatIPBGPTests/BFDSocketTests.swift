import FloatIPBGP
import FloatIPCore
import FloatIPLinux
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// RFC 5881's single-hop rule on the real socket: a packet sent with TTL 254 (one router away) is
/// received with its TTL and discarded by the session; one with TTL 255 is taken.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct BFDSocketTests {
    @Test func aPacketFromBeyondTheLinkIsDropped() throws {
        let lab = try BGPLab()
        let socket = try BFDSocket(address: IPAddress(BGPLab.nodeAddress)!, namespace: lab.node)
        // The router's side: a plain UDP socket sending one packet at TTL 254, then one at 255.
        let sender = try NetworkNamespace.socket(in: lab.router, domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0)
        defer { close(sender) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = UInt16(3784).bigEndian
        inet_pton(AF_INET, BGPLab.nodeAddress, &target.sin_addr)
        let packet = BFDPacket(state: .down, detectMultiplier: 3, myDiscriminator: 7, yourDiscriminator: 0,
                               desiredMinTx: 1_000_000, requiredMinRx: 100_000).encode()
        for var ttl: Int32 in [254, 255] {
            setsockopt(sender, Int32(IPPROTO_IP), IP_TTL, &ttl, socklen_t(MemoryLayout<Int32>.size))
            let sent = withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    packet.withUnsafeBytes { sendto(sender, $0.baseAddress, $0.count, 0, address, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            #expect(sent == packet.count)
        }
        var received: [(bytes: [UInt8], from: IPAddress, ttl: Int)] = []
        let end = Date().addingTimeInterval(2)
        while received.count < 2, Date() < end {
            if let next = socket.receive() { received.append(next) } else { usleep(10_000) }
        }
        #expect(received.map(\.ttl) == [254, 255], "the kernel gives each packet's TTL")
        #expect(received.allSatisfy { $0.from == IPAddress(BGPLab.routerAddress) && $0.bytes == packet })
        var session = BFDSession(config: .init(discriminator: 1))
        _ = session.start(now: .zero)
        for packet in received { _ = session.received(packet.bytes, hopLimit: packet.ttl, now: .zero) }
        #expect(session.discarded == ["TTL 254, not 255 (RFC 5881: single hop)": 1], "\(session.discarded)")
        #expect(session.state == .initializing, "the TTL 255 packet (peer Down) was taken")
    }
}
