@testable import FloatIPDNS
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// The DNS client and the `dns` mover against a real BIND 9 started for each test on 127.0.0.1.
@Suite(.serialized, .enabled(if: BINDServer.runnable, .bind))
struct BINDUpdateTests {
    @Test func updateThenReadBackWithOurClientAndDig() async throws {
        let bind = try BINDServer.example()
        let client = try bind.client()
        let zone = name("example.test"), vip = name("vip.example.test")
        try await client.replaceAddresses(zone: zone, name: vip, addresses: [address("198.18.0.1")], ttl: 60)
        let answer = try await client.addresses(of: vip, types: [.a])
        #expect(answer.addresses == [address("198.18.0.1")])
        #expect(answer.ttl == 60)
        #expect(try bind.dig("vip.example.test") == ["198.18.0.1"])
        // A second, unsigned client reads the same (BIND answers unsigned queries unsigned).
        let unsigned = DNSClient(servers: client.servers)
        #expect(try await unsigned.addresses(of: vip, types: [.a]).addresses == [address("198.18.0.1")])
    }

    @Test func failoverReplacesTheRecordWithTheNewHoldersAddress() async throws {
        let bind = try BINDServer.example()
        let web1 = try bind.mover(address: "198.18.0.1")
        let web2 = try bind.mover(address: "198.18.0.2")
        try await web1.claim(dnsGroup, epoch: 1)
        #expect(try await web1.holder(of: dnsGroup) == .this)
        #expect(try await web2.holder(of: dnsGroup) == .other("198.18.0.1"))
        #expect(try bind.dig("vip.example.test") == ["198.18.0.1"])
        try await web2.claim(dnsGroup, epoch: 2)
        #expect(try bind.dig("vip.example.test") == ["198.18.0.2"], "replaced, not added to")
        #expect(try await web1.holder(of: dnsGroup) == .other("198.18.0.2"))
        #expect(try await web2.holder(of: dnsGroup) == .this)
        let status = web2.status
        #expect(status.answer?.addresses == [address("198.18.0.2")])
        let took = try #require(status.claimToAnswer)
        #expect(took > .zero && took < .seconds(2))
        #expect(status.description.contains("198.18.0.2 (TTL 60 s) at \(bind.server)"))
        // Claiming what is held succeeds quietly.
        try await web2.claim(dnsGroup, epoch: 2)
        #expect(try bind.dig("vip.example.test") == ["198.18.0.2"])
    }

    @Test func bothFamiliesInOneUpdate() async throws {
        let bind = try BINDServer.example()
        let mover = try bind.mover(address: "198.18.0.3, 2001:2::3")
        try await mover.claim(dnsGroup, epoch: 1)
        #expect(try bind.dig("vip.example.test", "A") == ["198.18.0.3"])
        #expect(try bind.dig("vip.example.test", "AAAA") == ["2001:2::3"])
        #expect(try await mover.holder(of: dnsGroup) == .this)
    }

    @Test func aWrongKeyIsReportedAsBADSIG() async throws {
        let bind = try BINDServer.example()
        let wrongKey = bind.directory + "/wrong.key"
        try "key \"floatip-test\" { algorithm hmac-sha256; secret \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"; };"
            .write(toFile: wrongKey, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrongKey)
        let mover = try bind.mover(address: "198.18.0.1", extra: ["key_file": wrongKey])
        do {
            try await mover.claim(dnsGroup, epoch: 1)
            Issue.record("a claim with a wrong key succeeded")
        } catch let error as DNSMoverError {
            #expect(error.description.contains("NOTAUTH (BADSIG)"), "\(error)")
            #expect(error.description.contains("vip.example.test.") && error.description.contains("example.test."))
            #expect(!error.description.contains("AAECAwQF"), "the secret is never in an error")
            #expect(error.cause?.rcodes == [.notAuth])
        }
        #expect(try bind.dig("vip.example.test") == ["198.18.0.250"], "the record is unchanged")
    }

    @Test func anUpdateOutsideThePolicyIsRefusedNamingZoneAndName() async throws {
        let bind = try BINDServer.example()
        let mover = try bind.mover(name: "other.example.test", address: "198.18.0.1")
        do {
            try await mover.claim(dnsGroup, epoch: 1)
            Issue.record("an update outside the key's policy succeeded")
        } catch let error as DNSMoverError {
            #expect(error.description.contains("REFUSED"), "\(error)")
            #expect(error.description.contains("other.example.test. in zone example.test."), "\(error)")
            #expect(error.cause?.rcodes == [.refused])
        }
        #expect(try bind.dig("other.example.test") == ["198.18.0.251"])
    }

    @Test func releaseKeepsByDefaultAndDeletesOnlyItsOwnRecord() async throws {
        let bind = try BINDServer.example()
        let keep = try bind.mover(address: "198.18.0.1")
        try await keep.claim(dnsGroup, epoch: 1)
        try await keep.release(dnsGroup, epoch: 1)
        #expect(try bind.dig("vip.example.test") == ["198.18.0.1"], "release: keep leaves the record")
        let web1 = try bind.mover(address: "198.18.0.1", extra: ["release": "delete"])
        let web2 = try bind.mover(address: "198.18.0.2", extra: ["release": "delete"])
        try await web2.claim(dnsGroup, epoch: 2)
        try await web1.release(dnsGroup, epoch: 1)
        #expect(try bind.dig("vip.example.test") == ["198.18.0.2"], "a release never removes the next holder's record")
        try await web2.release(dnsGroup, epoch: 2)
        #expect(try bind.dig("vip.example.test") == [])
        #expect(try await web2.holder(of: dnsGroup) == MoverHolder.none)
    }

    @Test func largeMessagesGoOverTCP() async throws {
        // 60 A records: the update (> 512 bytes) is sent over TCP, and the answer to the query is
        // truncated over UDP (TC), so the client asks again over TCP.
        let bind = try BINDServer.example()
        let client = try bind.client()
        let many = (1...60).map { IPAddress.ipv4(198, 18, 1, UInt8($0)) }
        let update = DNSUpdate.replaceAddresses(
            id: 0, zone: name("example.test"), name: name("vip.example.test"), addresses: many, ttl: 60)
        #expect(try update.encoded().count > DNSSocket.udpLimit)
        _ = try await client.exchange(update)
        let answer = try await client.addresses(of: name("vip.example.test"), types: [.a])
        #expect(Set(answer.addresses) == Set(many))
        #expect(try bind.dig("vip.example.test").count == 60)
    }

    @Test func serversAreTriedInOrder() async throws {
        let bind = try BINDServer.example()
        // Nothing listens on port 1 of 127.0.0.1: UDP gets "connection refused" at once.
        let mover = try bind.mover(address: "198.18.0.9", extra: ["server": "127.0.0.1:1," + bind.server])
        try await mover.claim(dnsGroup, epoch: 1)
        #expect(try bind.dig("vip.example.test") == ["198.18.0.9"])
        let onlyDead = try bind.mover(address: "198.18.0.9", extra: ["server": "127.0.0.1:1"])
        await #expect(throws: DNSMoverError.self) { try await onlyDead.holder(of: dnsGroup) }
    }
}
