import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

/// A group across interfaces (`addresses: [{address, interface}]`): host `a` is on the LAN (`eth0`,
/// the switch) and on a WAN link (`eth1`, a veth to host `c`'s `eth1`); its addresses go on both,
/// each announced on its own link, and move as one.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct LocalMoverInterfacesTests {
    static let wanVIP = "198.18.1.100"

    func group(wan: String = "eth1") -> GroupConfig {
        let lan = IPPrefix(address: IPAddress(AnnounceLab.vip4)!, length: 32)
        let other = IPPrefix(address: IPAddress(Self.wanVIP)!, length: 32)
        return GroupConfig(
            name: "edge", addresses: [lan, other], interface: "eth0", priority: 100, addressLifetime: .seconds(3),
            announce: AnnounceConfig(count: 2, spacing: .milliseconds(20), repeatAfter: nil),
            addressInterfaces: [other: wan])
    }

    /// Host `a` and `c` on the switch, and a WAN link between their `eth1`s (198.18.1.1 and .2/24).
    func lab() throws -> AnnounceLab {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.network.link(lab["a"], "eth1", lab["c"], "eth1")
        try lab.network.ip(lab["a"], "addr", "add", "198.18.1.1/24", "dev", "eth1")
        try lab.network.ip(lab["c"], "addr", "add", "198.18.1.2/24", "dev", "eth1")
        return lab
    }

    func wanNeighbour(_ lab: AnnounceLab) throws -> String? {
        let text = try lab.network.ip(lab["c"], "-j", "neigh", "show", Self.wanVIP, "dev", "eth1")
        let entries = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return entries.first { $0["dst"] as? String == Self.wanVIP }?["lladdr"] as? String
    }

    @Test func claimPutsEachAddressOnItsInterfaceAndAnnouncesItThere() async throws {
        let lab = try lab()
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        try lab.network.ip(lab["c"], "neigh", "replace", Self.wanVIP, "lladdr", AnnounceLab.staleMAC, "dev", "eth1", "nud", "stale")
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.claim(group(), epoch: 1)

        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) != nil)
        #expect(try lab.network.addressEntry(lab["a"], "eth0", Self.wanVIP) == nil, "not on the group's interface")
        #expect(try lab.network.addressEntry(lab["a"], "eth1", Self.wanVIP) != nil)
        let lanMAC = try lab.mac("a")
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: lanMAC) == lanMAC)
        let wanMAC = try lab.network.mac(lab["a"], "eth1")
        let seen = try await eventually(timeout: .seconds(1), every: .milliseconds(10)) { try wanNeighbour(lab) == wanMAC }
        let entry = try wanNeighbour(lab) ?? "none"
        #expect(seen, "c's WAN entry for \(Self.wanVIP) is a's eth1 (\(wanMAC)): \(entry)")
        #expect(try await mover.holder(of: group()) == .this)

        // One address gone: the node no longer holds the whole group.
        try lab.network.ip(lab["a"], "addr", "del", "\(Self.wanVIP)/32", "dev", "eth1")
        #expect(try await mover.holder(of: group()) == .none)
        await mover.maintain()
        #expect(try lab.network.addressEntry(lab["a"], "eth1", Self.wanVIP) != nil, "maintain restores it on eth1")

        try await mover.release(group(), epoch: 1)
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil)
        #expect(try lab.network.addressEntry(lab["a"], "eth1", Self.wanVIP) == nil)
        #expect(try await mover.holder(of: group()) == .none)
    }

    @Test func aMissingInterfaceFailsTheClaimAndLeavesNothing() async throws {
        let lab = try lab()
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group(wan: "eth7"), epoch: 1)
            Issue.record("a claim with an address on a missing interface must fail")
        } catch {
            #expect("\(error)".contains("interface eth7 of group edge does not exist"), "\(error)")
        }
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil)
    }

    @Test func anAddressThatCannotBeAddedUndoesTheOthers() async throws {
        let lab = try lab()
        // The second interface refuses IPv6: the group's IPv4 address on eth0 must go again.
        try lab.network.exec(lab["a"], "sysctl", "-qw", "net.ipv6.conf.eth1.disable_ipv6=1")
        let v6 = IPPrefix(address: IPAddress("2001:2:1::100")!, length: 128)
        let lan = IPPrefix(address: IPAddress(AnnounceLab.vip4)!, length: 32)
        let group = GroupConfig(
            name: "edge", addresses: [lan, v6], interface: "eth0", priority: 100, addressInterfaces: [v6: "eth1"])
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group, epoch: 1)
            Issue.record("claiming an IPv6 address where IPv6 is disabled must fail")
        } catch {
            #expect("\(error)".contains("cannot add 2001:2:1::100/128 on eth1"), "\(error)")
        }
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil, "undone on eth0")
    }
}
