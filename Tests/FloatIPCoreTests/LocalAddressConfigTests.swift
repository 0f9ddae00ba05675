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
