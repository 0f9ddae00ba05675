import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

/// `virtual_mac` on real interfaces: hosts `a` and `b` and client `c` on one bridge. The group's
/// addresses live on a macvlan `fipvm7` with 00:00:5e:00:01:07, so a move from a to b changes
/// nothing in c's neighbour table: only the switch learns the MAC on another port.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct VirtualMACTests {
    static let virtualMAC = "00:00:5e:00:01:07"
    let vip4 = IPAddress(AnnounceLab.vip4)!
    let vip6 = IPAddress(AnnounceLab.vip6)!

    func group(interface: String = "eth0", id: UInt8 = 7) -> GroupConfig {
        GroupConfig(
            name: "web",
            addresses: [IPPrefix(address: vip4, length: 32), IPPrefix(address: vip6, length: 128)],
            interface: interface, priority: 100, addressLifetime: .seconds(3),
            announce: AnnounceConfig(count: 3, spacing: .milliseconds(20), repeatAfter: nil), virtualMAC: id)
    }

    @Test func aMoveKeepsTheClientsNeighbourEntryAndTheClientReachesTheNewHolder() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        let client = try Pinger(namespace: lab["c"])
        let moverA = try LocalMover(namespace: lab["a"])
        let moverB = try LocalMover(namespace: lab["b"])

        try await moverA.claim(group(), epoch: 1)
        #expect(try lab.network.mac(lab["a"], "fipvm7") == Self.virtualMAC)
        #expect(try lab.network.addressEntry(lab["a"], "fipvm7", AnnounceLab.vip4) != nil)
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil, "not on the parent")
        #expect(try lab.sysctl("a", "net.ipv4.conf.eth0.arp_ignore") == "1")
        #expect(try lab.sysctl("a", "net.ipv4.conf.eth0.arp_announce") == "2")
        #expect(try lab.sysctl("a", "net.ipv4.conf.fipvm7.arp_ignore") == "1")
        #expect(try await moverA.holder(of: group()) == .this)

        // c resolves the floating addresses itself (it had no entries): the virtual MAC, both families.
        #expect(try await client.ping(vip4, timeout: .seconds(1)) != nil)
        #expect(try await client.ping(vip6, timeout: .seconds(1)) != nil)
        #expect(try lab.neighbourMAC(AnnounceLab.vip4, on: "c") == Self.virtualMAC)
        #expect(try lab.neighbourMAC(AnnounceLab.vip6, on: "c") == Self.virtualMAC)
        // a's own address still resolves to a's own MAC (the macvlan does not answer for it).
        #expect(try await client.ping(IPAddress("198.18.0.1")!, timeout: .seconds(1)) != nil)
        #expect(try lab.neighbourMAC("198.18.0.1", on: "c") == (try lab.mac("a")))
        let portA = try lab.bridgePort("a")
        #expect(try lab.bridgePort(forMAC: Self.virtualMAC) == portA, "the switch learned the MAC on a's port")

        // The move, make-before-break: b claims, then a releases.
        try await moverB.claim(group(), epoch: 2)
        try await moverA.release(group(), epoch: 2)
        #expect(try lab.linkExists("a", "fipvm7") == false, "a no longer answers for the virtual MAC")
        #expect(try await moverA.holder(of: group()) == .none)
        #expect(try await moverB.holder(of: group()) == .this)
        let portB = try lab.bridgePort("b")
        #expect(try lab.bridgePort(forMAC: Self.virtualMAC) == portB, "b's announcement moved the MAC on the switch")

        // c's entries never changed, and c reaches b: only b has the addresses and the MAC now,
        // and b's macvlan counts the echo requests.
        #expect(try lab.neighbourMAC(AnnounceLab.vip4, on: "c") == Self.virtualMAC)
        #expect(try lab.neighbourMAC(AnnounceLab.vip6, on: "c") == Self.virtualMAC)
        let before = try lab.receivedPackets("b", "fipvm7")
        for _ in 0..<5 {
            #expect(try await client.ping(vip4, timeout: .seconds(1)) != nil)
            #expect(try await client.ping(vip6, timeout: .seconds(1)) != nil)
        }
        #expect(try lab.receivedPackets("b", "fipvm7") >= before + 10)
        #expect(try lab.network.addressEntries(lab["a"], "eth0").allSatisfy { $0.local != AnnounceLab.vip4 })
        #expect(try lab.neighbourMAC(AnnounceLab.vip4, on: "c") == Self.virtualMAC)
        #expect(try lab.neighbourMAC(AnnounceLab.vip6, on: "c") == Self.virtualMAC)
        try await moverB.release(group(), epoch: 2)
    }

    @Test func claimAndReleaseAreIdempotent() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.release(group(), epoch: 0)  // nothing there: quiet
        try await mover.claim(group(), epoch: 1)
        let index = try lab.linkIndex("a", "fipvm7")
        try await mover.claim(group(), epoch: 2)  // already held: the same macvlan, lifetimes renewed
        #expect(try lab.linkIndex("a", "fipvm7") == index)
        #expect(try lab.network.addressEntries(lab["a"], "fipvm7").filter { $0.local == AnnounceLab.vip4 }.count == 1)
        #expect(try await mover.holder(of: group()) == .this)
        try await mover.release(group(), epoch: 2)
        try await mover.release(group(), epoch: 2)
        #expect(try lab.linkExists("a", "fipvm7") == false)
        #expect(try await mover.holder(of: group()) == .none)
    }

    @Test func aMissingParentIsAClearErrorAndCreatesNothing() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group(interface: "eth9"), epoch: 1)
            Issue.record("claim on a missing interface must fail")
        } catch {
            #expect("\(error)".contains("interface eth9 of group web does not exist"), "\(error)")
        }
        #expect(try lab.linkExists("a", "fipvm7") == false)
    }

    @Test func aFailedClaimDeletesTheMacvlanItCreated() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        // New interfaces get IPv6 off: the IPv6 address cannot go on the fresh macvlan.
        try lab.network.exec(lab["a"], "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group(), epoch: 1)
            Issue.record("claiming an IPv6 address where IPv6 is disabled must fail")
        } catch {
            #expect("\(error)".contains("group web: cannot add 2001:2::100/128 on fipvm7"), "\(error)")
        }
        #expect(try lab.linkExists("a", "fipvm7") == false, "the macvlan the claim created is gone")
        #expect(try lab.network.addressEntry(lab["a"], "eth0", AnnounceLab.vip4) == nil)
    }

    @Test func aNameTakenByAnotherKindOfLinkIsAClearError() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        try lab.network.ip(lab["a"], "link", "add", "fipvm7", "type", "veth", "peer", "name", "other7")
        let mover = try LocalMover(namespace: lab["a"])
        do {
            try await mover.claim(group(), epoch: 1)
            Issue.record("claim must not take over someone else's fipvm7")
        } catch {
            #expect("\(error)".contains("interface fipvm7 exists and is not a macvlan (kind veth)"), "\(error)")
        }
        #expect(try lab.linkExists("a", "fipvm7"), "left alone")
    }

    @Test func theHolderChecksTheMacvlanAndMaintainRestoresIt() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.claim(group(), epoch: 1)
        try lab.network.ip(lab["a"], "link", "del", "fipvm7")
        #expect(try await mover.holder(of: group()) == .none, "no macvlan, no holder")
        await mover.maintain()
        #expect(try lab.network.mac(lab["a"], "fipvm7") == Self.virtualMAC)
        #expect(try lab.network.addressEntry(lab["a"], "fipvm7", AnnounceLab.vip4) != nil)
        #expect(try await mover.holder(of: group()) == .this)
        // A macvlan with the right name and MAC on the wrong parent is not the group's.
        try await mover.release(group(), epoch: 1)
        try lab.network.ip(lab["a"], "link", "add", "dummyp", "type", "veth", "peer", "name", "dummyq")
        try lab.network.ip(
            lab["a"], "link", "add", "fipvm7", "link", "dummyp", "address", Self.virtualMAC, "type", "macvlan")
        #expect(try await mover.holder(of: group()) == .none)
    }

    @Test func aDeletedMacvlanIsRestoredWhileHeld() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let mover = try LocalMover(namespace: lab["a"])
        try await mover.claim(group(), epoch: 1)
        let keeper = Task { await mover.run() }
        defer { keeper.cancel() }
        try await Task.sleep(for: .milliseconds(200))  // the watcher is subscribed
        let clock = ContinuousClock()
        let removed = clock.now
        try lab.network.ip(lab["a"], "link", "del", "fipvm7")
        // Until it is back, `ip` says the device does not exist: that is "not yet", not an error.
        let back = await eventually(timeout: .seconds(2), every: .milliseconds(5)) {
            (try? lab.network.addressEntry(lab["a"], "fipvm7", AnnounceLab.vip4)) != nil
                && (try? lab.network.addressEntry(lab["a"], "fipvm7", AnnounceLab.vip6)) != nil
        }
        #expect(back)
        print("virtual-MAC macvlan restored \((clock.now - removed).shortDescription) after it was deleted")
        #expect(try lab.network.mac(lab["a"], "fipvm7") == Self.virtualMAC)
        #expect(try await mover.holder(of: group()) == .this)
        keeper.cancel()
        _ = await keeper.value
        try await mover.release(group(), epoch: 1)
    }
}

extension AnnounceLab {
    /// A sysctl's value in host `label`'s namespace.
    func sysctl(_ label: String, _ name: String) throws -> String {
        try network.exec(self[label], "sysctl", "-n", name).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func linkExists(_ label: String, _ interface: String) throws -> Bool {
        let text = try network.ip(self[label], "-j", "link", "show")
        let links = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return links.contains { $0["ifname"] as? String == interface }
    }

    func linkIndex(_ label: String, _ interface: String) throws -> Int {
        let text = try network.ip(self[label], "-j", "link", "show", "dev", interface)
        let links = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return links.first?["ifindex"] as? Int ?? -1
    }

    /// Packets `interface` of host `label` received (`ip -s -j link`).
    func receivedPackets(_ label: String, _ interface: String) throws -> Int {
        let text = try network.ip(self[label], "-s", "-j", "link", "show", "dev", interface)
        let links = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        let stats = links.first?["stats64"] as? [String: Any]
        return (stats?["rx"] as? [String: Any])?["packets"] as? Int ?? -1
    }

    /// The switch's port number for host `label` (`/sys/class/net/p-LABEL/brport/port_no`).
    func bridgePort(_ label: String) throws -> Int {
        let text = try network.exec(switchNamespace, "cat", "/sys/class/net/p-\(label)/brport/port_no")
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2), radix: 16) ?? -1
    }

    /// The port on which the switch has learned `mac`, or nil (`/sys/class/net/br0/brforward`:
    /// 16-byte `struct __fdb_entry`: mac[6], port_no, is_local, ageing timer u32, port_hi, …).
    func bridgePort(forMAC mac: String) throws -> Int? {
        let text = try network.exec(switchNamespace, "od", "-An", "-v", "-tx1", "/sys/class/net/br0/brforward")
        let bytes = text.split(whereSeparator: \.isWhitespace).compactMap { UInt8($0, radix: 16) }
        let wanted = mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        for start in stride(from: 0, to: bytes.count - 15, by: 16) where Array(bytes[start..<start + 6]) == wanted {
            return Int(bytes[start + 6]) | Int(bytes[start + 12]) << 8
        }
        return nil
    }
}
