import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

/// Gratuitous ARP and unsolicited NA against real neighbours: hosts a, b and c on one bridge, each in
/// its own namespace. The neighbour c never sends anything; its entry changes only because of what
/// a (or b) announces.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AnnounceNamespaceTests {
    private let vip4 = IPAddress(AnnounceLab.vip4)!
    private let vip6 = IPAddress(AnnounceLab.vip6)!

    @Test(arguments: ARPForm.allCases)
    func burstUpdatesAnExistingIPv4Entry(form: ARPForm) async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.addVIP(AnnounceLab.vip4, on: "a")
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        #expect(try lab.neighbourMAC(AnnounceLab.vip4, on: "c") == AnnounceLab.staleMAC)

        let settings = AnnounceSettings(count: 3, spacing: .milliseconds(20), arpForm: form)
        let announcer = try Announcer(interface: "eth0", settings: settings, namespace: lab["a"])
        try await announcer.burst([vip4])

        // The entry was set by `neigh replace` well within c's locktime: only a true gratuitous ARP gets through.
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: try lab.mac("a")) == lab.mac("a"))
        // c sent nothing: a never heard an ARP from it, so a has no entry for c.
        #expect(try lab.neighbourMAC("198.18.0.2", on: "a") == nil)
    }

    @Test func aNeighbourWithoutAnEntryCreatesNone() async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.addVIP(AnnounceLab.vip4, on: "a")
        let settings = AnnounceSettings(count: 2, spacing: .milliseconds(10))
        let announcer = try Announcer(interface: "eth0", settings: settings, namespace: lab["a"])
        try await announcer.burst([vip4])
        try await Task.sleep(for: .milliseconds(100))
        let entry = try lab.neighbourMAC(AnnounceLab.vip4, on: "c")
        #expect(entry == nil, "arp_accept=0: only existing entries are updated")
    }

    /// Measures what starts c's locktime: `ip neigh replace` with a new MAC does (the kernel stamps
    /// `updated` on any change). A weak ARP (a reply with target MAC = broadcast) is ignored 100 ms
    /// after the replace, and accepted once the locktime (1 s) has passed.
    @Test func neighReplaceStartsTheLocktime() async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.addVIP(AnnounceLab.vip4, on: "a")
        let clock = ContinuousClock()
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        let replacedAt = clock.now
        let arp = try GratuitousARP(namespace: lab["a"])
        let interface = try arp.interface(named: "eth0")

        try await clock.sleep(until: replacedAt + .milliseconds(100))
        try arp.send(frame: weakReply(for: vip4, mac: interface.mac), on: interface)
        try await Task.sleep(for: .milliseconds(150))
        let entry = try lab.neighbourMAC(AnnounceLab.vip4, on: "c")
        #expect(entry == AnnounceLab.staleMAC, "weak reply ignored within locktime")

        try await clock.sleep(until: replacedAt + .milliseconds(1_300))
        try arp.send(frame: weakReply(for: vip4, mac: interface.mac), on: interface)
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: try lab.mac("a")) == lab.mac("a"))
    }

    /// The entry in c was updated by an ARP from b 100 ms ago: a weak ARP from a is ignored, while
    /// a single round of either gratuitous form from a overrides at once.
    @Test(arguments: [ARPForm.request, ARPForm.reply])
    func gratuitousARPOverridesWithinLocktimeAfterAnotherHost(form: ARPForm) async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        try lab.addVIP(AnnounceLab.vip4, on: "a")
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        let clock = ContinuousClock()
        try await Task.sleep(for: .milliseconds(1_100))  // the locktime of the replace is over

        let once = AnnounceSettings(count: 1, spacing: .zero, arpForm: form, repeatAfter: nil)
        try await Announcer(interface: "eth0", settings: once, namespace: lab["b"]).burst([vip4])
        let updatedAt = clock.now
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: try lab.mac("b")) == lab.mac("b"))

        let arp = try GratuitousARP(namespace: lab["a"])
        let interface = try arp.interface(named: "eth0")
        try await clock.sleep(until: updatedAt + .milliseconds(100))
        try arp.send(frame: weakReply(for: vip4, mac: interface.mac), on: interface)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try lab.neighbourMAC(AnnounceLab.vip4, on: "c") == lab.mac("b"), "weak reply ignored within locktime")

        let announcedAt = clock.now
        try await Announcer(interface: "eth0", settings: once, namespace: lab["a"]).burst([vip4])
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: try lab.mac("a")) == lab.mac("a"))
        #expect(announcedAt - updatedAt < .seconds(1), "still within c's locktime when a announced")
    }

    @Test func unsolicitedNAUpdatesAnExistingIPv6Entry() async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.addVIP(AnnounceLab.vip6, on: "a")
        try lab.setNeighbour(AnnounceLab.vip6, on: "c")
        #expect(try lab.neighbourMAC(AnnounceLab.vip6, on: "c") == AnnounceLab.staleMAC)

        let settings = AnnounceSettings(count: 1, spacing: .zero, repeatAfter: nil)
        try await Announcer(interface: "eth0", settings: settings, namespace: lab["a"]).burst([vip6])
        // The entry changed 0–100 ms earlier (neigh replace): NA has no locktime.
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip6, on: "c", toBe: try lab.mac("a")) == lab.mac("a"))
        #expect(try lab.neighbourMAC("2001:2::2", on: "a") == nil, "c sent nothing to a")
    }

    @Test func burstIsBoundedAndAnnouncesBothFamilies() async throws {
        let lab = try AnnounceLab(hosts: ["a", "c"])
        try lab.addVIP(AnnounceLab.vip4, on: "a")
        try lab.addVIP(AnnounceLab.vip6, on: "a")
        try lab.setNeighbour(AnnounceLab.vip4, on: "c")
        try lab.setNeighbour(AnnounceLab.vip6, on: "c")
        let settings = AnnounceSettings(count: 3, spacing: .milliseconds(50))
        let announcer = try Announcer(interface: "eth0", settings: settings, namespace: lab["a"])
        let clock = ContinuousClock()
        let start = clock.now
        try await announcer.burst([vip4, vip6])
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(100) && elapsed < .milliseconds(400), "3 rounds 50 ms apart took \(elapsed)")
        let mac = try lab.mac("a")
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip4, on: "c", toBe: mac) == mac)
        #expect(try await lab.waitForNeighbour(AnnounceLab.vip6, on: "c", toBe: mac) == mac)
    }

    @Test func missingInterfaceIsNamed() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let announcer = try Announcer(interface: "eth9", namespace: lab["a"])
        await #expect(throws: AnnounceError.noSuchInterface("eth9")) { try await announcer.burst([vip4]) }
        // eth0 exists in a, not in the switch's namespace.
        let elsewhere = try Announcer(interface: "eth0", namespace: lab.switchNamespace)
        #expect(throws: AnnounceError.noSuchInterface("eth0")) { try elsewhere.announceOnce([vip4]) }
        #expect(throws: AnnounceError.interfaceNameTooLong("a-very-long-interface")) {
            try InterfaceInfo.lookup("a-very-long-interface", namespace: lab["a"])
        }
    }

    @Test func interfaceLookupSeesTheNamespace() throws {
        let lab = try AnnounceLab(hosts: ["a"])
        let info = try InterfaceInfo.lookup("eth0", namespace: lab["a"])
        #expect(InterfaceInfo.macText(info.mac) == (try lab.mac("a")))
        let text = try lab.network.ip(lab["a"], "-o", "link", "show", "eth0")
        #expect(text.hasPrefix("\(info.index): eth0"))
        #expect(throws: AnnounceError.notEthernet("lo")) { try InterfaceInfo.lookup("lo", namespace: lab["a"]) }
    }

    @Test func sendingOnADownInterfaceNamesAddressAndInterface() async throws {
        let lab = try AnnounceLab(hosts: ["a"])
        try lab.network.ip(lab["a"], "link", "set", "eth0", "down")
        let announcer = try Announcer(interface: "eth0", namespace: lab["a"])
        let error = #expect(throws: AnnounceError.self) { try announcer.announceOnce([vip4]) }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.hasPrefix("gratuitous ARP request for 198.18.0.100 on eth0: sendto: "), "\(text)")
    }

    /// A reply with target MAC = broadcast: not a true gratuitous ARP to Linux, so subject to locktime.
    private func weakReply(for address: IPAddress, mac: [UInt8]) -> [UInt8] {
        guard case .v4(let value) = address else { return [] }
        var frame = ARPFrame.gratuitous(.reply, address: value, mac: mac)
        for offset in 32..<38 { frame[offset] = 0xFF }  // target MAC
        return frame
    }
}
