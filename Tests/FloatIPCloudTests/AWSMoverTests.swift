import FloatIPCloud
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// The `aws` mover against moto in server mode (signatures verified), both forms.
@Suite("AWS mover (moto)", .serialized, .enabled(if: MotoServer.shouldRun, Comment(rawValue: MotoServer.skipReason)))
struct AWSMoverTests {
    /// Two instances in moto, with their first network interface each.
    struct World {
        var moto: MotoServer
        var instances: [String]
        var interfaces: [String]
    }

    func world() async throws -> World {
        let moto = try await MotoServer.start()
        do {
            let run = try await moto.call(
                "RunInstances", [("ImageId", "ami-12c6146b"), ("MinCount", "2"), ("MaxCount", "2"), ("InstanceType", "t3.micro")])
            let items = run.first("instancesSet")?.children("item") ?? []
            let instances = items.compactMap { $0.value("instanceId") }
            let interfaces = items.compactMap { $0.first("networkInterfaceSet")?.children("item").first?.value("networkInterfaceId") }
            try #require(instances.count == 2 && interfaces.count == 2, "RunInstances gave \(instances) \(interfaces)")
            return World(moto: moto, instances: instances, interfaces: interfaces)
        } catch {
            moto.stop()
            throw error
        }
    }

    func mover(_ world: World, _ options: [String: String], secret: String? = nil) throws
        -> (mover: any Mover & MoverTelemetrySource, group: GroupConfig)
    {
        var all = [
            "region": "us-east-1", "access_key_id": world.moto.accessKeyID, "secret_key_env": testTokenVariable,
            "endpoint": world.moto.endpoint, "claim_timeout": "20s",
        ]
        all.merge(options) { $1 }
        return try makeMover(AWSProvider.self, all, environment: [testTokenVariable: secret ?? world.moto.secretKey])
    }

    func allocate(_ world: World, to instance: String?) async throws -> String {
        let allocated = try await world.moto.call("AllocateAddress", [("Domain", "vpc")])
        let allocation = try #require(allocated.value("allocationId"))
        if let instance {
            _ = try await world.moto.call(
                "AssociateAddress", [("AllocationId", allocation), ("InstanceId", instance), ("AllowReassociation", "true")])
        }
        return allocation
    }

    func associatedInstance(_ world: World, _ allocation: String) async throws -> String? {
        let answer = try await world.moto.call("DescribeAddresses", [("AllocationId.1", allocation)])
        return answer.first("addressesSet")?.children("item").first?.value("instanceId")
    }

    @Test("Elastic IP: claim re-associates from the other instance, is idempotent, release disassociates")
    func elasticIP() async throws {
        let world = try await world()
        defer { world.moto.stop() }
        let allocation = try await allocate(world, to: world.instances[1])
        let (mover, group) = try mover(world, ["allocation_id": allocation, "instance_id": world.instances[0]])
        #expect(try await mover.holder(of: group) == .other(world.instances[1]))
        try await mover.claim(group, epoch: 1)
        #expect(try await associatedInstance(world, allocation) == world.instances[0])
        #expect(try await mover.holder(of: group) == .this)
        let callsBefore = mover.telemetry().calls
        try await mover.claim(group, epoch: 2)
        #expect(mover.telemetry().calls == callsBefore + 1, "an idempotent claim only reads (DescribeAddresses)")
        #expect(mover.telemetry().lastCall == "POST / DescribeAddresses")
        try await mover.release(group, epoch: 2)
        #expect(try await associatedInstance(world, allocation) == nil)
        #expect(try await mover.holder(of: group) == .none)
    }

    @Test("Elastic IP by network interface: claim associates it to this server's interface")
    func elasticIPByInterface() async throws {
        let world = try await world()
        defer { world.moto.stop() }
        let allocation = try await allocate(world, to: world.instances[1])
        let (mover, group) = try mover(world, ["allocation_id": allocation, "network_interface_id": world.interfaces[0]])
        #expect(try await mover.holder(of: group) == .other(world.interfaces[1]))
        try await mover.claim(group, epoch: 1)
        #expect(try await mover.holder(of: group) == .this)
        // moto records the interface (not the instance) for an association made by interface.
        let described = try await world.moto.call("DescribeAddresses", [("AllocationId.1", allocation)])
        #expect(described.first("item")?.value("networkInterfaceId") == world.interfaces[0])
    }

    @Test("secondary private IP: claim assigns it to this interface with AllowReassignment, release unassigns it")
    func secondaryIP() async throws {
        let world = try await world()
        defer { world.moto.stop() }
        let address = "10.0.0.200"
        let (mover, group) = try mover(world, ["private_ip": address, "network_interface_id": world.interfaces[0]])
        #expect(try await mover.holder(of: group) != .this)
        try await mover.claim(group, epoch: 1)
        #expect(try await mover.holder(of: group) == .this)
        let described = try await world.moto.call("DescribeNetworkInterfaces", [("NetworkInterfaceId.1", world.interfaces[0])])
        let listed = described.first("privateIpAddressesSet")?.children("item").compactMap { $0.value("privateIpAddress") } ?? []
        #expect(listed.contains(address))
        try await mover.release(group, epoch: 1)
        #expect(try await mover.holder(of: group) != .this)
    }

    @Test("a wrong secret key is rejected by moto's signature check with a clear error that hides the secret")
    func wrongSecret() async throws {
        let world = try await world()
        defer { world.moto.stop() }
        let allocation = try await allocate(world, to: world.instances[1])
        let wrong = "wrongSecretKeyValue0123456789"
        let (mover, group) = try mover(world, ["allocation_id": allocation, "instance_id": world.instances[0]], secret: wrong)
        let error = await providerError { try await mover.claim(group, epoch: 1) }
        #expect(error?.provider == "AWS EC2")
        #expect(error?.call == "POST / DescribeAddresses")
        #expect(error?.kind == .rejected)
        let text = "\(String(describing: error))"
        #expect(text.contains("AuthFailure") || text.contains("SignatureDoesNotMatch"), "\(text)")
        #expect(!text.contains(wrong))
        #expect(try await associatedInstance(world, allocation) == world.instances[1])
    }
}

/// The `aws` mover's answer handling without moto: malformed XML and throttling, from a local fake.
@Suite("AWS mover (answers)")
struct AWSAnswerTests {
    @Test("malformed XML is a clear error; RequestLimitExceeded is retried")
    func malformedAndThrottled() async throws {
        let server = try await FakeProviderServer.start { request in
            guard request.method == "POST", request.path == "/", request.form["Action"] == "DescribeAddresses",
                request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/") == true
            else { return nil }
            return .raw(200, """
                <DescribeAddressesResponse><addressesSet><item><allocationId>eipalloc-1</allocationId>\
                <instanceId>i-mine</instanceId><associationId>eipassoc-1</associationId></item></addressesSet>\
                </DescribeAddressesResponse>
                """, contentType: "text/xml")
        }
        defer { Task { await server.stop() } }
        let (mover, group) = try makeMover(
            AWSProvider.self,
            ["region": "us-east-1", "access_key_id": "AKID", "secret_key_env": testTokenVariable, "endpoint": server.baseURL,
             "allocation_id": "eipalloc-1", "instance_id": "i-mine"],
            environment: [testTokenVariable: "secret-value-xyz"])
        server.inject(FakeFault(response: .raw(200, "<DescribeAddressesResponse><addressesSet><item>", contentType: "text/xml")))
        let error = await providerError { _ = try await mover.holder(of: group) }
        #expect(error?.kind == .malformed)
        #expect(error?.message.contains("malformed XML") == true)
        server.inject(FakeFault(response: .raw(503, """
            <Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error>\
            </Errors><RequestID>r</RequestID></Response>
            """, contentType: "text/xml")))
        #expect(try await mover.holder(of: group) == .this)
        #expect(mover.telemetry().retries == 1)
        #expect(server.unrecognised.isEmpty)
    }
}
