import FloatIPCore
import CFloatIPLinux
import Glibc
import Testing

@testable import FloatIPLinux

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct NetlinkAddressTests {
    @Test func addListDeleteIPv4() throws {
        let fixture = try VethFixture()
        let vip = prefix("198.18.0.10/32")
        try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index)
        let listed = try fixture.netlink.addresses(interfaceIndex: fixture.index)
        let info = try #require(listed.first { $0.prefix == vip })
        #expect(info.family == .ipv4)
        #expect(info.label == "v0", "the kernel labels an IPv4 address with the interface name by default")
        #expect(info.validLifetime == nil && info.preferredLifetime == nil)
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "198.18.0.10")?.prefixLength == 32)

        try fixture.netlink.deleteAddress(vip, interfaceIndex: fixture.index)
        #expect(try !fixture.netlink.addresses(interfaceIndex: fixture.index).contains { $0.prefix == vip })
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "198.18.0.10") == nil)
    }

    @Test func addListDeleteIPv6WithoutDAD() throws {
        let fixture = try VethFixture()
        let vip = prefix("2001:2::10/128")
        try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index)
        let info = try #require(try fixture.netlink.addresses().first { $0.prefix == vip })
        #expect(info.family == .ipv6 && info.interfaceIndex == fixture.index && info.label == nil)
        #expect(info.flags & UInt32(IFA_F_NODAD) != 0)
        #expect(info.flags & UInt32(IFA_F_TENTATIVE) == 0, "no DAD: usable at once")
        let entry = try #require(try fixture.network.addressEntry(fixture.a, "v0", "2001:2::10"))
        #expect(entry.prefixLength == 128 && entry.flags.contains("nodad"))

        try fixture.netlink.deleteAddress(vip, interfaceIndex: fixture.index)
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "2001:2::10") == nil)
    }

    @Test func addWithLabel() throws {
        let fixture = try VethFixture()
        try fixture.netlink.addAddress(prefix("198.18.0.11/32"), interfaceIndex: fixture.index, label: "v0:vip")
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "198.18.0.11")?.label == "v0:vip")
        #expect(try fixture.netlink.addresses(interfaceIndex: fixture.index).contains { $0.label == "v0:vip" })
    }

    /// The kernel does not insist that an IPv4 label start with the interface name (only `ip` does).
    @Test func labelNotStartingWithTheInterfaceName() throws {
        let fixture = try VethFixture()
        try fixture.netlink.addAddress(prefix("198.18.0.12/32"), interfaceIndex: fixture.index, label: "vip")
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "198.18.0.12")?.label == "vip")
    }

    @Test func labelsOf16BytesAndIPv6LabelsAreRefused() throws {
        let fixture = try VethFixture()
        let fifteen = String(repeating: "x", count: 15)
        try fixture.netlink.addAddress(prefix("198.18.0.13/32"), interfaceIndex: fixture.index, label: fifteen)
        let long = #expect(throws: NetlinkError.self) {
            try fixture.netlink.addAddress(prefix("198.18.0.14/32"), interfaceIndex: fixture.index, label: fifteen + "y")
        }
        #expect(long?.errno == ERANGE)
        #expect(long?.description.contains("at most 15") == true, "\(String(describing: long))")
        let v6 = #expect(throws: NetlinkError.self) {
            try fixture.netlink.addAddress(prefix("2001:2::14/128"), interfaceIndex: fixture.index, label: "v0:six")
        }
        #expect(v6?.errno == EINVAL)
    }

    @Test func finiteLifetimeRunsOutAndReplaceRenewsIt() async throws {
        let fixture = try VethFixture()
        let (expiring, renewed) = (prefix("198.18.0.20/32"), prefix("2001:2::20/128"))
        for vip in [expiring, renewed] {
            try fixture.netlink.addAddress(
                vip, interfaceIndex: fixture.index, lifetime: .seconds(valid: 2, preferred: 2))
        }
        let entry = try #require(try fixture.network.addressEntry(fixture.a, "v0", "198.18.0.20"))
        #expect((0...2).contains(entry.validLifetime), "valid_life_time \(entry.validLifetime)")
        let info = try #require(try fixture.netlink.addresses().first { $0.prefix == expiring })
        #expect(info.validLifetime.map { $0 <= 2 } == true)

        // Renew one of them every 0.5 s for 3.5 s: it outlives its first lifetime, the other does not.
        for _ in 0..<7 {
            try await Task.sleep(for: .milliseconds(500))
            try fixture.netlink.addAddress(
                renewed, interfaceIndex: fixture.index, lifetime: .seconds(valid: 2, preferred: 2), replace: true)
        }
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "198.18.0.20") == nil, "expired after 3.5 s")
        #expect(try fixture.network.addressEntry(fixture.a, "v0", "2001:2::20") != nil, "renewed")
        // Left alone, the renewed one also runs out within about 2 s.
        let gone = try await eventually(timeout: .seconds(4)) {
            try fixture.network.addressEntry(fixture.a, "v0", "2001:2::20") == nil
        }
        #expect(gone)
    }

    @Test func replaceMakesAForeverAddressFinite() throws {
        let fixture = try VethFixture()
        let vip = prefix("198.18.0.21/32")
        try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index)
        try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index, lifetime: .seconds(valid: 60, preferred: 30), replace: true)
        let info = try #require(try fixture.netlink.addresses().first { $0.prefix == vip })
        #expect(info.validLifetime.map { (58...60).contains($0) } == true)
        #expect(info.preferredLifetime.map { (28...30).contains($0) } == true)
    }

    @Test func duplicateAddCarriesTheKernelsText() throws {
        let fixture = try VethFixture()
        for (text, kernelText) in [("198.18.0.30/32", "ipv4: Address already assigned"), ("2001:2::30/128", "ipv6")] {
            let vip = prefix(text)
            try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index)
            let error = #expect(throws: NetlinkError.self) { try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index) }
            #expect(error?.errno == EEXIST)
            #expect(error?.description.hasPrefix("add \(text) on v0 (index \(fixture.index)): File exists") == true)
            #expect(error?.kernelMessage?.contains(kernelText) == true, "\(String(describing: error))")
            print("duplicate \(text): \(error.map(String.init(describing:)) ?? "-")")
        }
    }

    /// Deleting an address that is not there: EADDRNOTAVAIL for both families.
    @Test func deleteOfAnAbsentAddress() throws {
        let fixture = try VethFixture()
        for text in ["198.18.0.40/32", "2001:2::40/128"] {
            let error = #expect(throws: NetlinkError.self) {
                try fixture.netlink.deleteAddress(prefix(text), interfaceIndex: fixture.index)
            }
            print("delete absent \(text): \(error.map(String.init(describing:)) ?? "-")")
            #expect(error?.errno == EADDRNOTAVAIL)
        }
    }

    @Test func wrongInterfaceIndex() throws {
        let fixture = try VethFixture()
        let error = #expect(throws: NetlinkError.self) {
            try fixture.netlink.addAddress(prefix("198.18.0.50/32"), interfaceIndex: 9999)
        }
        print("wrong index: \(error.map(String.init(describing:)) ?? "-")")
        #expect(error?.errno == ENODEV)
        #expect(error?.description.hasPrefix("add 198.18.0.50/32 on index 9999: No such device") == true)
    }

    /// Request-to-ack latency of add + delete pairs (printed; only a loose bound is checked).
    @Test func requestLatency() throws {
        let fixture = try VethFixture()
        let clock = ContinuousClock()
        var samples: [Duration] = []
        for round in 0..<500 {
            let vip = prefix("198.18.\(1 + round / 250).\(round % 250)/32")
            let start = clock.now
            try fixture.netlink.addAddress(vip, interfaceIndex: fixture.index)
            samples.append(clock.now - start)
            try fixture.netlink.deleteAddress(vip, interfaceIndex: fixture.index)
        }
        samples.sort()
        let median = samples[samples.count / 2]
        let p99 = samples[samples.count * 99 / 100]
        print("RTM_NEWADDR request-to-ack: median \(median), p99 \(p99)")
        #expect(median < .milliseconds(5))
    }
}
