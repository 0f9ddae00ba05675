import Testing

@testable import FloatIPCore

@Suite struct LocalAddressConfigTests {
    func config(_ extra: String) -> String {
        """
        cluster: web
        node: { name: web1, address: 198.18.0.1 }
        secret_file: /etc/floatip/secret
        groups:
          - name: web
            addresses: [198.18.0.100]
            interface: eth0
            priority: 100
        \(extra)
        """
    }

    func parse(_ extra: String) -> Result<ClusterConfig, ConfigErrors> {
        ConfigParser.parse(yaml: config(extra), file: "web.yaml")
    }

    @Test func defaults() throws {
        let group = try parse("").get().groups[0]
        #expect(group.addressLifetime == .seconds(3))
        #expect(group.announce == AnnounceConfig(count: 3, spacing: .milliseconds(50), repeatAfter: .seconds(2), refresh: nil, arp: .request))
        #expect(group.virtualMAC == nil, "virtual_mac is off unless set")
    }

    @Test func virtualMACReadBack() throws {
        #expect(try parse("    virtual_mac: 7").get().groups[0].virtualMAC == 7)
        #expect(try parse("    virtual_mac: 255").get().groups[0].virtualMAC == 255)
    }

    @Test func theSameVirtualMACInTwoGroupsIsNamedWithBothLines() {
        let extra = """
                virtual_mac: 7
              - name: api
                addresses: [198.18.0.101]
                interface: eth0
                priority: 100
                virtual_mac: 7
            """
        guard case .failure(let errors) = parse(extra) else {
            Issue.record("two groups with virtual_mac 7 must be rejected")
            return
        }
        #expect(errors.problems.count == 1)
        let problem = errors.problems[0]
        #expect(problem.path == "groups[1].virtual_mac")
        #expect(problem.line == 14)
        #expect(problem.message.contains("also groups[0].virtual_mac (line 9)"), "\(problem.message)")
    }

    @Test func everyFieldReadBack() throws {
        let extra = """
                address_lifetime: 10s
                announce: { count: 5, spacing: 20ms, repeat_after: off, refresh: 60s, arp: both }
            """
        let group = try parse(extra).get().groups[0]
        #expect(group.addressLifetime == .seconds(10))
        #expect(group.announce == AnnounceConfig(count: 5, spacing: .milliseconds(20), repeatAfter: nil, refresh: .seconds(60), arp: .both))
        #expect(try parse("    address_lifetime: forever").get().groups[0].addressLifetime == .forever)
    }

    @Test(arguments: [
        ("    address_lifetime: 1500ms", "groups[0].address_lifetime", "whole seconds"),
        ("    address_lifetime: 0s", "groups[0].address_lifetime", "out of range"),
        ("    address_lifetime: later", "groups[0].address_lifetime", "not a duration"),
        ("    announce: { count: 101 }", "groups[0].announce.count", "from 0 to 100"),
        ("    announce: { spacing: 0ms }", "groups[0].announce.spacing", "out of range"),
        ("    announce: { arp: gratuitous }", "groups[0].announce.arp", "allowed: request"),
        ("    announce: { refresh: 100ms }", "groups[0].announce.refresh", "out of range"),
        ("    announce: { burst: 3 }", "groups[0].announce.burst", "unknown"),
        ("    virtual_mac: 0", "groups[0].virtual_mac", "out of range; allowed: a VRRP virtual router ID from 1 to 255"),
        ("    virtual_mac: 256", "groups[0].virtual_mac", "out of range"),
        ("    virtual_mac: true", "groups[0].virtual_mac", "must be a whole number"),
        ("    virtual_mac: 00:00:5e:00:01:07", "groups[0].virtual_mac", "must be a whole number"),
    ])
    func invalidFieldIsNamedWithItsLine(extra: String, path: String, fragment: String) {
        guard case .failure(let errors) = parse(extra) else {
            Issue.record("\(extra) should be rejected")
            return
        }
        #expect(errors.problems.count == 1)
        let problem = errors.problems[0]
        #expect(problem.path == path)
        #expect(problem.line == 9)
        #expect(problem.message.contains(fragment), "\(problem.message)")
    }
}
