import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// Two real `floatip agent`s in namespaces with the `gcp` mover (token from the metadata server)
/// pointed at `GCPFake` in the lab's switch namespace: killing the holder moves the alias IP range
/// to the other instance at the fake.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && CloudLab.socat != nil, .namespaces))
struct GCPLabTests {
    static let range = "10.128.0.50/32"

    @Test func killingTheHolderMovesTheAliasRangeToTheOtherInstance() async throws {
        let fake = GCPFake(instances: ["web1": ("europe-west1-b", []), "web2": ("europe-west1-c", [])])
        let cloud = try await CloudLab(mover: { node, _ in
            "{ kind: gcp, project: \(GCPFake.project), zone: europe-west1-\(node == 1 ? "b" : "c"), instance: web\(node), "
                + "alias_ip: \(Self.range), peer_instances: \"europe-west1-\(node == 1 ? "c" : "b")/web\(3 - node)\", "
                + "endpoint: \"http://198.18.0.254:8080\", metadata_endpoint: \"http://198.18.0.254:8080\", "
                + "allow_insecure_http: true, poll_interval: 20ms, request_timeout: 1s, claim_timeout: 5s, reconcile_interval: 300ms }"
        }, handler: { fake.handle($0) })
        defer { cloud.stop() }
        let lab = cloud.lab
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(10)) { fake.holder(Self.range) == "web1" } != nil, "\(lab.log(1))")

        lab.signal(1, SIGKILL)
        _ = try await lab.waitForExit(1)
        let failover = try await lab.wait(.seconds(5)) { fake.holder(Self.range) == "web2" }
        #expect(failover != nil, "\(lab.log(2))")
        print("gcp lab: holder killed → alias range on the other instance at the fake in \(failover.map { "\($0)" } ?? "never")")
        #expect(lab.log(2).contains("routes alias IP range \(Self.range) to web1"))
        let web1 = fake.state.withLock { $0.instances["web1"]?.nics.first?.ranges }
        #expect(web1 == [], "removed from the dead holder's interface")
        #expect(cloud.server.unrecognised.isEmpty, "\(cloud.server.unrecognised)")
        lab.signal(2, SIGTERM)
        _ = try await lab.waitForExit(2)
        await cloud.server.stop()
    }
}
