import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

/// The local mover under a lease bound (`ExpiringMover`): its addresses, never renewed again (as
/// after kill -9), vanish before the bound; a bound too near refuses the claim.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct LocalMoverBoundTests {
    let group = GroupConfig(
        name: "web", addresses: [IPPrefix(address: IPAddress(AnnounceLab.vip4)!, length: 32)], interface: "eth0",
        priority: 100, addressLifetime: .seconds(30), announce: AnnounceConfig(count: 0))

    @Test func boundedAddressesVanishBeforeTheBoundAndRenewalsMoveWithIt() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        // An etcd lease of 3 s granted just now: lifetime 2 s (3 s − 0.5 s kernel slack, whole seconds).
        var bound = ContinuousClock.now + .seconds(3)
        await mover.bound(group.name, goneBy: Instant(bound))
        try await mover.claim(group, epoch: 1)
        let entry = try #require(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4))
        #expect(entry.validLifetime <= 2, "bounded by the lease, not address_lifetime 30 s: \(entry.validLifetime)")

        // Renewed leases move the bound: the address stays past the first bound.
        for _ in 0..<3 {
            try await Task.sleep(for: .seconds(1))
            bound = ContinuousClock.now + .seconds(3)
            await mover.bound(group.name, goneBy: Instant(bound))
        }
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) != nil, "kept while renewed")

        // No renewal after this (kill -9): gone before the last bound, although the keeper runs.
        let keeper = Task { await mover.run() }
        defer { keeper.cancel() }
        let gone = try await eventually(timeout: .seconds(5), every: .milliseconds(20)) {
            try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil
        }
        let early = bound - ContinuousClock.now
        print("bounded address gone \(early.shortDescription) before its bound")
        #expect(gone && early > .zero, "gone before the bound (\(early.shortDescription) left)")
    }

    @Test func aBoundTooNearRefusesTheClaimAndAddsNothing() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        await mover.bound(group.name, goneBy: Instant(ContinuousClock.now + .milliseconds(1_200)))
        await #expect(throws: LocalMoverError.self) { try await mover.claim(group, epoch: 1) }
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil)
    }
}
