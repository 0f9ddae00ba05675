@testable import FloatIPCloud
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// The `aws` mover against moto (signatures checked) with temporary keys and with route tables.
extension AWSMoverTests {
    @Test("instance-profile keys from a fake IMDS sign calls that moto checks, session token included")
    func instanceProfileAgainstMoto() async throws {
        let world = try await world()
        defer { world.moto.stop() }
        let allocation = try await allocate(world, to: world.instances[1])
        let role = try await world.moto.assumeRole(session: "floatip")
        let fake = AWSMetadataFake(keys: [AWSMetadataFake.Keys(
            accessKeyID: role.accessKeyID, secretKey: role.secretKey, token: role.token, expiration: Date().addingTimeInterval(900))])
        let imds = try await FakeProviderServer.start { fake.handle($0) }
        defer { Task { await imds.stop() } }
        let options = [
            "region": "us-east-1", "endpoint": world.moto.endpoint, "imds_endpoint": imds.baseURL, "claim_timeout": "20s",
            "allocation_id": allocation, "instance_id": world.instances[0],
        ]
        let (mover, group) = try makeMover(AWSProvider.self, options, environment: [:])
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        let claimed = seconds(since: start)
        #expect(try await associatedInstance(world, allocation) == world.instances[0])
        #expect(fake.credentialRequests == 1 && fake.tokenRequests == 1)
        print("aws claim with instance-profile keys against moto: \(Int(claimed * 1000)) ms (IMDS token and keys included)")

        // The same keys with the token in the options (`session_token_env`) work too.
        let (static_, _) = try makeMover(AWSProvider.self, options.merging([
            "access_key_id": role.accessKeyID, "secret_key_env": "SECRET", "session_token_env": "TOKEN",
        ]) { $1 }, environment: ["SECRET": role.secretKey, "TOKEN": role.token])
        #expect(try await static_.holder(of: group) == .this)

        // moto refuses the right keys with a wrong token: the token is really checked, and never echoed.
        fake.state.withLock { $0.keys[0].token = "wrong-token-0123456789abcdefghij" }
        let (wrong, _) = try makeMover(AWSProvider.self, options, environment: [:])
        let error = await providerError { _ = try await wrong.holder(of: group) }
        #expect(error?.status == 401 || error?.status == 403, "\(String(describing: error))")
        let text = "\(String(describing: error))"
        #expect(!text.contains("wrong-token-0123456789abcdefghij") && !text.contains(role.secretKey), "\(text)")
        #expect(imds.unrecognised.isEmpty)
    }

    /// Two route tables in the instances' VPC; the first routes the group's address to the second
    /// instance's interface, the second has no route for it.
    func routeTables(_ world: World) async throws -> [String] {
        let described = try await world.moto.call("DescribeInstances", [("InstanceId.1", world.instances[0])])
        let vpc = try #require(described.first("instancesSet")?.children("item").first?.value("vpcId"))
        var tables: [String] = []
        for _ in 0..<2 {
            let made = try await world.moto.call("CreateRouteTable", [("VpcId", vpc)])
            tables.append(try #require(made.first("routeTable")?.value("routeTableId")))
        }
        _ = try await world.moto.call(
            "CreateRoute",
            [("RouteTableId", tables[0]), ("DestinationCidrBlock", "198.18.0.100/32"), ("NetworkInterfaceId", world.interfaces[1])])
        return tables
    }

    /// Where each table routes 198.18.0.100/32 (the interface id, or nil).
    func routed(_ world: World, _ tables: [String]) async throws -> [String?] {
        var targets: [String?] = []
        for table in tables {
            let answer = try await world.moto.call("DescribeRouteTables", [("RouteTableId.1", table)])
            let route = answer.first("routeSet")?.children("item").first { $0.value("destinationCidrBlock") == "198.18.0.100/32" }
            targets.append(route?.value("networkInterfaceId"))
        }
        return targets
    }

    @Test("route tables: ReplaceRoute or CreateRoute to this interface in every table; holder from DescribeRouteTables")
    func routeTableClaim() async throws {
        let world = try await world()
        defer { world.moto.stop() }
        let tables = try await routeTables(world)
        let options = [
            "region": "us-east-1", "access_key_id": world.moto.accessKeyID, "secret_key_env": testTokenVariable,
            "endpoint": world.moto.endpoint, "claim_timeout": "20s", "overlay": "true",
            "route_tables": tables.joined(separator: ", "), "network_interface_id": world.interfaces[0],
        ]
        let (mover, group) = try makeMover(
            AWSProvider.self, options, environment: [testTokenVariable: world.moto.secretKey], interface: "eth0")
        #expect(try await mover.holder(of: group) == .other(world.interfaces[1]))
        let start = ContinuousClock.now
        try await mover.claim(group, epoch: 1)
        print("aws route-table claim against moto (2 tables, Replace + Create): \(Int(seconds(since: start) * 1000)) ms")
        #expect(try await routed(world, tables) == [world.interfaces[0], world.interfaces[0]])
        #expect(try await mover.holder(of: group) == .this)
        let calls = mover.telemetry().calls
        try await mover.claim(group, epoch: 2)
        #expect(mover.telemetry().calls == calls + 1, "an idempotent claim only reads (DescribeRouteTables)")
        #expect(mover.telemetry().lastCall == "POST / DescribeRouteTables")
        // Release has no detach: the routes stay until the next claim moves them.
        try await mover.release(group, epoch: 2)
        #expect(try await routed(world, tables) == [world.interfaces[0], world.interfaces[0]])

        // The peer claims it back; then someone else changes both tables after this node's read:
        // the route it would replace is gone, the one it would create is there.
        let peer = try makeMover(AWSProvider.self, options.merging(["network_interface_id": world.interfaces[1]]) { $1 },
                                 environment: [testTokenVariable: world.moto.secretKey], interface: "eth0")
        try await peer.mover.claim(group, epoch: 3)
        #expect(try await routed(world, tables) == [world.interfaces[1], world.interfaces[1]])
        _ = try await world.moto.call("DeleteRoute", [("RouteTableId", tables[1]), ("DestinationCidrBlock", "198.18.0.100/32")])
        let provider = try #require((mover as? CloudMover<AWSProvider>)?.provider)
        let stale = try await provider.read(deadline: .now + .seconds(20))
        #expect(stale.fence == "replace \(tables[0]) 198.18.0.100/32\ncreate \(tables[1]) 198.18.0.100/32")
        _ = try await world.moto.call("DeleteRoute", [("RouteTableId", tables[0]), ("DestinationCidrBlock", "198.18.0.100/32")])
        _ = try await world.moto.call(
            "CreateRoute",
            [("RouteTableId", tables[1]), ("DestinationCidrBlock", "198.18.0.100/32"), ("NetworkInterfaceId", world.interfaces[1])])
        try await provider.assign(over: stale, deadline: .now + .seconds(20))
        #expect(try await routed(world, tables) == [world.interfaces[0], world.interfaces[0]])

        // A table that does not exist: EC2's own error, naming it.
        let (missing, _) = try makeMover(AWSProvider.self, options.merging(["route_tables": "rtb-0000000000deadbee"]) { $1 },
                                         environment: [testTokenVariable: world.moto.secretKey], interface: "eth0")
        let error = await providerError { _ = try await missing.holder(of: group) }
        #expect(error?.message.contains("InvalidRouteTableID.NotFound") == true, "\(String(describing: error))")
        #expect(error?.message.contains("rtb-0000000000deadbee") == true)
    }

    @Test("route-table options: overlay and route_tables go together, with network_interface_id and an interface")
    func routeTableOptions() throws {
        func problems(_ options: [String: String], interface: String? = "eth0") throws -> [String] {
            let all = ["region": "us-east-1", "access_key_id": "AKID", "secret_key_env": "S"].merging(options) { $1 }
            let group = try cloudGroup(.aws, all, interface: interface)
            return CloudMovers.problems(AWSProvider.self, group: group, credentials: false).map(\.field)
        }
        let good = ["overlay": "true", "route_tables": "rtb-1, rtb-2", "network_interface_id": "eni-1"]
        #expect(try problems(good) == [])
        #expect(try problems(good, interface: nil) == ["interface"])
        #expect(try problems(good.merging(["overlay": "false"]) { $1 }) == ["mover.overlay"])
        #expect(try problems(["overlay": "true", "network_interface_id": "eni-1"]) == ["mover.route_tables"])
        #expect(try problems(good.merging(["route_tables": "rtb-1, igw-2"]) { $1 }) == ["mover.route_tables"])
        #expect(try problems(good.merging(["network_interface_id": ""]) { $1 }) == [], "from the metadata service")
        #expect(try problems(good.merging(["network_interface_id": "i-1"]) { $1 }) == ["mover.network_interface_id"])
        #expect(try problems(good.merging(["allocation_id": "eipalloc-1"]) { $1 }) == ["mover.allocation_id"])
    }
}

/// The route-table form against fakes: the route-table fake and the metadata service on one server.
@Suite("AWS route tables (fakes)")
struct AWSRouteTableFakeTests {
    @Test("without network_interface_id the routes go to the instance's primary interface, from IMDS")
    func interfaceFromMetadata() async throws {
        let routes = AWSRouteTableFake(routes: ["rtb-a": ["198.18.0.100/32": "eni-other"]])
        let imds = AWSMetadataFake(keys: [])
        let server = try await FakeProviderServer.start { imds.handle($0) ?? routes.handle($0) }
        defer { Task { await server.stop() } }
        let (mover, group) = try makeMover(AWSProvider.self, [
            "region": "us-east-1", "access_key_id": AWSRouteTableFake.keyID, "secret_key_env": testTokenVariable,
            "endpoint": server.baseURL, "imds_endpoint": server.baseURL, "overlay": "true", "route_tables": "rtb-a",
        ], environment: [testTokenVariable: AWSRouteTableFake.secret])
        #expect(try await mover.holder(of: group) == .other("eni-other"))
        try await mover.claim(group, epoch: 1)
        #expect(routes.target("rtb-a", "198.18.0.100/32") == "eni-mine")
        #expect(try await mover.holder(of: group) == .this)
        #expect(imds.tokenRequests == 1, "the interface is asked for once")
        #expect(server.count("GET", "/interface-id") == 1)
        #expect(server.unrecognised.isEmpty, "\(server.unrecognised)")
    }
}
