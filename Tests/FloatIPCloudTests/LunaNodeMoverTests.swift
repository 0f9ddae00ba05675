import FloatIPCloud
import FloatIPCore
import Foundation
import Testing

/// The `lunanode` mover against `LunaNodeFake` on 127.0.0.1.
@Suite("LunaNode mover")
struct LunaNodeMoverTests {
    @Test("the request signature is HMAC-SHA512 over path|req|nonce (value computed with Python's hmac)")
    func signature() {
        let request = #"{"api_id":"ABCDEFGHIJKLMNOP","api_partialkey":""# + String(repeating: "k", count: 64) + #"","vm_id":"vm-1"}"#
        #expect(LunaNodeProvider.signature(key: LunaNodeFake.key, path: "vm/info/", request: request, nonce: "1700000000")
            == "d293246cfcc42f296e83319644d92edb81bb61fa43a2987df08b296a08347755d972674fe486eb08b900b82dba0d12d1f67b69dc42800079dd079ce13479ad0b")
    }

    @Test("claim deletes the IP (keep) from the peer's VM and adds it here; idempotent; release deletes it; errors carry LunaNode's text")
    func claimAndRelease() async throws {
        let fake = LunaNodeFake(ips: ["vm-mine": "", "vm-peer": "198.51.100.40"])
        let server = try await FakeProviderServer.start { fake.handle($0) }
        let options = [
            "api_id": LunaNodeFake.apiID, "api_key_env": testTokenVariable, "ip": "198.51.100.40", "vm_id": "vm-mine",
            "peer_vm_ids": "vm-peer, vm-mine", "endpoint": server.baseURL, "claim_timeout": "5s",
        ]
        let (mover, group) = try makeMover(LunaNodeProvider.self, options, environment: [testTokenVariable: LunaNodeFake.key])
        #expect(try await mover.holder(of: group) == .other("vm-peer"))
        try await mover.claim(group, epoch: 1)
        #expect(fake.ip(of: "vm-mine") == "198.51.100.40" && fake.ip(of: "vm-peer") == "")
        let posts = server.requests.map(\.path)
        #expect(posts.suffix(2) == ["/api/vm/floatingip-delete/", "/api/vm/floatingip-add/"])
        try await mover.claim(group, epoch: 2)
        #expect(server.count("POST", "floatingip-add") == 1)
        try await mover.release(group, epoch: 2)
        #expect(fake.ip(of: "vm-mine") == "")
        #expect(try await mover.holder(of: group) == .none)

        let wrongKey = String(repeating: "x", count: 128)
        let (refused, refusedGroup) = try makeMover(LunaNodeProvider.self, options, environment: [testTokenVariable: wrongKey])
        let error = await providerError { _ = try await refused.holder(of: refusedGroup) }
        #expect(error?.message == "authentication failed")
        #expect(!"\(String(describing: error))".contains(wrongKey.prefix(64)))
        server.inject(FakeFault(response: .raw(200, #"{"success": "yes", "info": "#)))
        let malformed = await providerError { _ = try await mover.holder(of: group) }
        #expect(malformed?.kind == .malformed)
        #expect(server.unrecognised.isEmpty)
        await server.stop()
    }
}
