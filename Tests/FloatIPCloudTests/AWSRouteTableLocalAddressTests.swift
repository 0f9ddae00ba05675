import FloatIPCloud
import FloatIPCore
import FloatIPLinux
import Foundation
import Testing

/// The `aws` mover's route-table form composed with the local mover: the route tables (the fake
/// on 127.0.0.1) send the overlay address to this interface, and the address is configured on
/// the interface (a veth in a namespace).
@Suite("AWS route tables with the local address", .serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AWSRouteTableLocalAddressTests {
    @Test("claim routes the address here in every table and adds it; release removes it and leaves the routes")
    func composed() async throws {
        let network = TestNetwork()
        let host = try network.namespace("a")
        try network.link(host, "eth0", try network.namespace("b"), "eth0")
        try network.ip(host, "addr", "add", "198.18.0.1/24", "dev", "eth0")
        let fake = AWSRouteTableFake(routes: ["rtb-a": ["198.18.0.100/32": "eni-other"], "rtb-b": [:]])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let group = try cloudGroup(.aws, [
            "region": "us-east-1", "access_key_id": AWSRouteTableFake.keyID, "secret_key_env": testTokenVariable,
            "endpoint": server.baseURL, "overlay": "true", "route_tables": "rtb-a, rtb-b", "network_interface_id": "eni-mine",
        ], interface: "eth0")
        let mover = try CloudMovers.make(
            AWSProvider.self, group: group, local: try LocalMover(namespace: host),
            environment: [testTokenVariable: AWSRouteTableFake.secret])
        #expect(mover is LocalComposedMover)
        func configured() throws -> Bool { try network.ip(host, "-4", "addr", "show", "dev", "eth0").contains("198.18.0.100/32") }
        func routes() -> [String?] { [fake.target("rtb-a", "198.18.0.100/32"), fake.target("rtb-b", "198.18.0.100/32")] }
        try await mover.claim(group, epoch: 1)
        #expect(routes() == ["eni-mine", "eni-mine"])
        #expect(try configured())
        #expect(try await mover.holder(of: group) == .this)
        try await mover.release(group, epoch: 1)
        #expect(try !configured())
        #expect(routes() == ["eni-mine", "eni-mine"], "no detach: the next claim moves the routes")
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")
        await server.stop()
    }
}
