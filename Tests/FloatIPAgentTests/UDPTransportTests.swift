import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

@testable import FloatIPAgent

/// The peer transport on the loopback: datagrams both ways, read as the agent's loop reads them
/// (poll the descriptor, then `readAvailable`), the sender's name by its address and port, a
/// stranger reported without a name, and nothing read or sent after `close()`.
@Suite(.serialized) struct UDPTransportTests {
    @Test(arguments: [IPAddress.ipv4(127, 0, 0, 1), IPAddress.v6(0, 1)])
    func datagramsArriveWithTheSendersName(_ loopback: IPAddress) async throws {
        let (a, b, stranger) = try await bindThree(on: loopback)
        a.transport.send([1, 2, 3], to: "b")
        try await Task.sleep(for: .milliseconds(20))
        stranger.transport.send([9], to: "b")
        let got = read(b.transport, count: 2, within: .seconds(2))
        #expect(got.map(\.0) == [[1, 2, 3], [9]])
        #expect(got.map(\.1) == ["a", nil], "a by name, the stranger (same address, another port) unnamed")
        for node in [a, b, stranger] { await node.transport.close() }
    }

    @Test func nothingIsReadOrSentAfterClose() async throws {
        let (a, b, stranger) = try await bindThree(on: .ipv4(127, 0, 0, 1))
        b.transport.send([1], to: "a")
        #expect(read(a.transport, count: 1, within: .seconds(2)).count == 1, "the socket works before close")
        b.transport.send([2], to: "a")
        try await Task.sleep(for: .milliseconds(20))
        await a.transport.close()
        var after: [[UInt8]] = []
        a.transport.readAvailable { datagram, _ in after.append(datagram) }
        #expect(after.isEmpty, "a datagram queued before close is not read after it")
        // Sending on a closed transport is quietly nothing.
        a.transport.send([1], to: "b")
        for node in [b, stranger] { await node.transport.close() }
    }

    @Test func bindingAnAddressThatIsNotHereFailsWithIt() async throws {
        // 198.18.0.1 is on no interface of the test host.
        await #expect {
            try await UDPTransport.bind(address: .ipv4(198, 18, 0, 1), port: 7_946, peers: [])
        } throws: { "\($0)".contains("198.18.0.1 port 7946") }
    }

    private struct Node {
        let transport: UDPTransport
        let port: UInt16
    }

    /// a and b know each other; the stranger knows b only, and b does not know it.
    private func bindThree(on address: IPAddress) async throws -> (Node, Node, Node) {
        for _ in 0..<5 {
            let ports = (0..<3).compactMap { _ in Loopback.freePort() }.map { UInt16($0) }
            guard Set(ports).count == 3 else { continue }
            do {
                let a = try await UDPTransport.bind(
                    address: address, port: ports[0], peers: [PeerConfig(name: "b", address: address, port: ports[1])])
                let b = try await UDPTransport.bind(
                    address: address, port: ports[1], peers: [PeerConfig(name: "a", address: address, port: ports[0])])
                let stranger = try await UDPTransport.bind(
                    address: address, port: ports[2], peers: [PeerConfig(name: "b", address: address, port: ports[1])])
                return (Node(transport: a, port: ports[0]), Node(transport: b, port: ports[1]),
                        Node(transport: stranger, port: ports[2]))
            } catch {
                continue  // a port taken meanwhile: try others
            }
        }
        throw TransportTestError("no three free UDP ports on \(address)")
    }

    /// Reads `transport` as the agent's loop does (poll, then `readAvailable`) until `count`
    /// datagrams came or `limit` passed.
    private func read(_ transport: UDPTransport, count: Int, within limit: Duration) -> [([UInt8], String?)] {
        var got: [([UInt8], String?)] = []
        let deadline = ContinuousClock.now + limit
        while got.count < count, ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: transport.descriptor, events: Int16(POLLIN), revents: 0)
            let left = deadline - ContinuousClock.now
            guard poll(&descriptor, 1, Int32(max(1, left.milliseconds.rounded(.up)))) > 0 else { continue }
            transport.readAvailable { datagram, from in got.append((datagram, from)) }
        }
        return got
    }
}

private struct TransportTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
