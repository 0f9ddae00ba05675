import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

/// The local mover on real interfaces: host `a` claims, neighbour `c` watches its ARP/ND cache.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct LocalMoverTests {
    func group(
        _ addresses: [String] = [AnnounceLab.vip4, AnnounceLab.vip6], interface: String = "eth0",
        lifetime: AddressLifetime = .seconds(3)
    ) -> GroupConfig {
        GroupConfig(
            name: "web", addresses: addresses.map { IPPrefix(address: IPAddress($0)!, length: $0.contains(":") ? 128 : 32) },
            interface: interface, priority: 100, addressLifetime: lifetime,
            announce: AnnounceConfig(count: 3, spacing: .milliseconds(20), repeatAfter: nil))
    }

    @Test func claimAddsWithLifetimeAndMovesTheNeighboursEntries() async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        try lab.setNeighbour(AnnounceLab.vip6, on: "c")
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.claim(group(), epoch: 1)

        let v4 = try #require(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4))
        #expect(v4.prefixLength == 32)
        #expect((1...3).contains(v4.validLifetime), "self-expiring: \(v4.validLifetime)")
        let v6 = try #require(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip6))
        #expect(v6.prefixLength == 128)
        let mac = try lab.mac("a")
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: mac) == mac)
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip6, on: "c", toBe: mac) == mac)
        #expect(try await mover.holder(of: group()) == .this)
    }

    @Test func claimAndReleaseAreIdempotent() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.release(group(), epoch: 0)  // nothing there: quiet
        try await mover.claim(group(), epoch: 1)
        try await mover.claim(group(), epoch: 2)  // already held: quiet, lifetime renewed
        #expect(try lab.network.addressEntries(lab["a"], "eth0").filter { $0.local == AnnounceLab.vip4 }.count == 1)
        try await mover.release(group(), epoch: 2)
        try await mover.release(group(), epoch: 2)
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil)
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip6) == nil)
        #expect(try await mover.holder(of: group()) == .none)
    }

    @Test func missingInterfaceIsAClearError() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group(interface: "eth9"), epoch: 1)
            Issue.record("claim on a missing interface must fail")
        } catch {
            #expect("\(error)".contains("interface eth9 of group web does not exist"), "\(error)")
        }
    }

    @Test func aFailedClaimLeavesNothingHalfConfigured() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        // IPv6 off on the interface: the IPv6 address cannot be added after the IPv4 one was.
        try lab.network.exec(lab["a"], "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1")
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group(), epoch: 1)
            Issue.record("claiming an IPv6 address where IPv6 is disabled must fail")
        } catch {
            let text = "\(error)"
            #expect(text.contains("group web: cannot add 2001:2::100/128 on eth0"), "\(text)")
        }
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil, "the IPv4 address was removed again")
    }

    @Test func aHeldAddressRemovedByHandIsRestored() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.claim(group(), epoch: 1)
        let keeper = Task { await mover.run() }
        defer { keeper.cancel() }
        try await Task.sleep(for: .milliseconds(200))  // the watcher is subscribed
        let clock = ContinuousClock()
        let removed = clock.now
        try lab.network.ip(lab["a"], "addr", "del", "\(AnnounceLab.vip4)/32", "dev", "eth0")
        let back = try await eventually(timeout: .seconds(2), every: .milliseconds(5)) {
            try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) != nil
        }
        #expect(back)
        print("held address restored \((clock.now - removed).shortDescription) after it was deleted")
        #expect(clock.now - removed < .seconds(1))
    }

    @Test func renewalKeepsAddressesBeyondTheirLifetimeAndTheyExpireWithoutIt() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        let short = group([AnnounceLab.vip4], lifetime: .seconds(2))
        try await mover.claim(short, epoch: 1)
        #expect(await mover.renewalInterval() == .seconds(1))
        let keeper = Task { await mover.run() }
        try await Task.sleep(for: .milliseconds(3_500))
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) != nil, "renewed past its 2 s lifetime")
        keeper.cancel()
        _ = await keeper.value
        // No renewal now (as after kill -9): the kernel removes the address within lifetime + ~1 s.
        let gone = try await eventually(timeout: .seconds(4), every: .milliseconds(100)) {
            try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil
        }
        #expect(gone)
    }
}

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct LocalMoverAnnounceTests {
    @Test func theRepeatBurstCorrectsANeighbourThatMissedTheFirst() async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        let mac = try lab.mac("a")
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        let group = GroupConfig(
            name: "web", addresses: [IPPrefix(address: IPAddress(AnnounceLab.vip4)!, length: 32)], interface: "eth0",
            priority: 100, announce: AnnounceConfig(count: 1, spacing: .milliseconds(10), repeatAfter: .milliseconds(600)))
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.claim(group, epoch: 1)
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: mac) == mac)
        // c's entry goes wrong again (as if c missed the first burst); the repeat puts it right.
        try await Task.sleep(for: .milliseconds(100))
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        #expect(try lab.neighbourMAC(AnnounceLab.vip4, on: "c") == AnnounceLab.staleMAC)
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: mac, limit: .seconds(2)) == mac)
        // After a release nothing more is announced.
        try await mover.release(group, epoch: 1)
    }
}
