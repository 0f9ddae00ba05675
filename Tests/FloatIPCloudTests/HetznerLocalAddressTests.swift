import FloatIPCloud
import FloatIPCore
import FloatIPLinux
import Foundation
import Testing

/// The `hetzner` mover composed with the local mover: the provider routes the floating IP here
/// (the fake on 127.0.0.1) and the address is configured on the interface (a veth in a namespace).
@Suite("Hetzner Cloud mover with the local address", .serialized,
       .enabled(if: NamespaceSupport.available, .namespaces))
struct HetznerLocalAddressTests {
    @Test("claim assigns at the provider and adds the address; release removes it and unassigns")
    func composed() async throws {
        let network = TestNetwork()
        let host = try network.namespace("a")
        try network.link(host, "eth0", try network.namespace("b"), "eth0")
        try network.ip(host, "addr", "add", "198.18.0.1/24", "dev", "eth0")
        let fake = HetznerCloudFake(floating: [42: 8], servers: [7, 8])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let group = try cloudGroup(.hetzner, [
            "floating_ip_id": "42", "server_id": "7", "token_env": testTokenVariable, "endpoint": server.baseURL,
            "poll_interval": "20ms",
        ], interface: "eth0")
        let mover = try CloudMovers.make(
            HetznerCloudProvider.self, group: group, local: try LocalMover(namespace: host),
            environment: [testTokenVariable: HetznerCloudFake.token])
        #expect(mover is LocalComposedMover)
        func configured() throws -> Bool { try network.ip(host, "-4", "addr", "show", "dev", "eth0").contains("198.18.0.100/32") }
        try await mover.claim(group, epoch: 1)
        #expect(fake.assignment(42) == 7)
        #expect(try configured())
        #expect(try await mover.holder(of: group) == .this)
        try await mover.release(group, epoch: 1)
        #expect(fake.assignment(42) == nil)
        #expect(try !configured())
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }
}
