import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

@testable import FloatIPAgent

/// The peer transport on the loopback: datagrams both ways, the sender's name by its address and
/// port, a stranger reported without a name, and `close()` ending `incoming()`.
@Suite(.serialized) struct UDPTransportTests {
    @Test(arguments: [IPAddress.ipv4(127, 0, 0, 1), IPAddress.v6(0, 1)])
    func datagramsArriveWithTheSendersName(_ loopback: IPAddress) async throws {
        let (a, b, stranger) = try await bindThree(on: loopback)
        let received = Task {
            var got: [([UInt8], String?)] = []
            for await (datagram, from) in b.transport.incoming() {
                got.append((datagram, from))
                if got.count == 2 { break }
            }
            return got
        }
        a.transport.send([1, 2, 3], to: "b")
        try await Task.sleep(for: .milliseconds(20))
        stranger.transport.send([9], to: "b")
        let got = try await within(.seconds(2)) { await received.value }
        #expect(got.map(\.0) == [[1, 2, 3], [9]])
        #expect(got.map(\.1) == ["a", nil], "a by name, the stranger (same address, another port) unnamed")
        for node in [a, b, stranger] { await node.transport.close() }
    }

    @Test func closeEndsIncoming() async throws {
        let (a, b, stranger) = try await bindThree(on: .ipv4(127, 0, 0, 1))
        let ended = Task { for await _ in a.transport.incoming() {}; return true }
        await a.transport.close()
        #expect(try await within(.seconds(1)) { await ended.value })
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

    private func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw TransportTestError("timed out") }
            return value
        }
    }
}

private struct TransportTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
