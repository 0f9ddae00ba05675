import Testing

@testable import FloatIPLinux

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct NetlinkLinkTests {
    @Test func linksReportStateMACAndKind() throws {
        let fixture = try VethFixture()
        let links = try fixture.netlink.links()
        #expect(Set(links.map(\.name)) == ["lo", "v0"])
        let v0 = try #require(links.first { $0.name == "v0" })
        #expect(v0.index == fixture.index)
        #expect(v0.macText == (try fixture.network.mac(fixture.a, "v0")))
        #expect(v0.mac.count == 6 && v0.mtu == 1500 && v0.kind == "veth")
        #expect(v0.isUp && v0.isRunning)
        let lo = try #require(links.first { $0.name == "lo" })
        #expect(lo.isUp && lo.isRunning && lo.kind == nil)
    }

    @Test func downOnEitherEndIsSeen() throws {
        let fixture = try VethFixture()
        // The peer going down takes the carrier away: up, but not running.
        try fixture.network.ip(fixture.b, "link", "set", "v1", "down")
        let peerDown = try #require(try fixture.netlink.link(named: "v0"))
        #expect(peerDown.isUp && !peerDown.isRunning)
        try fixture.network.ip(fixture.a, "link", "set", "v0", "down")
        let down = try #require(try fixture.netlink.link(index: fixture.index))
        #expect(!down.isUp && !down.isRunning)
        try fixture.network.ip(fixture.a, "link", "set", "v0", "up")
        try fixture.network.ip(fixture.b, "link", "set", "v1", "up")
        let up = try #require(try fixture.netlink.link(named: "v0"))
        #expect(up.isUp && up.isRunning)
    }

    @Test func unknownLinkIsNil() throws {
        let fixture = try VethFixture()
        #expect(try fixture.netlink.link(named: "nosuchlink") == nil)
        #expect(try fixture.netlink.link(index: 9999) == nil)
        #expect(try fixture.netlink.link(named: String(repeating: "x", count: 16)) == nil)
    }
}
