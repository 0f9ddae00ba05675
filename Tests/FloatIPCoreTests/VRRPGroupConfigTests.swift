import Testing
@testable import FloatIPCore

/// A node of a keepalived virtual router: one VRRP group beside one on floatip's own protocol.
/// Line numbers matter: the cases below replace one line.
private let vrrpConfig = """
    cluster: web
    node: { name: web3, address: 198.18.0.3 }
    secret_file: /etc/floatip/secret
    groups:
      - name: web
        addresses: [198.18.0.100/24]
        interface: eth0
        priority: 150
        protocol: vrrp
        vrrp:
          vrid: 51
          advert_interval: 1s
      - name: api
        addresses: [198.18.0.101]
        interface: eth0
        priority: 100
    """

private func parse(_ yaml: String) throws -> ClusterConfig { try ConfigParser.parse(yaml: yaml, file: "web.yaml").get() }

private func messages(_ yaml: String) -> [String] { problems(yaml).map { "\($0.path): \($0.message)" } }

@Suite struct VRRPGroupConfigTests {
    /// keepalived's defaults: version 2, 1 s, no delay, no password, multicast, keepalived's checksum form;
    /// the router uses the group's priority and preemption and the node's address.
    @Test func aVRRPGroupHasKeepalivedsDefaults() throws {
        let config = try parse(vrrpConfig)
        #expect(config.groups.map(\.vrrp) == [VRRPGroupConfig(vrid: 51), nil])
        #expect(config.floatipProtocolOnly.groups.map(\.name) == ["api"])
        let router = try #require(config.groups[0].vrrpRouter(node: config.node, password: Array("secret".utf8)))
        #expect(router == VRRPRouterConfig(
            version: 2, vrid: 51, priority: 150, advertInterval: .seconds(1), preempt: true, preemptDelay: .zero,
            ownAddress: .ipv4(198, 18, 0, 3), addresses: [.ipv4(198, 18, 0, 100)],
            authentication: .password(Array("secret".utf8))))
        #expect(config.groups[1].vrrpRouter(node: config.node) == nil)
        // Master_Down_Interval at priority 150: 3 × 1 s + (256 − 150) / 256 s.
        #expect(config.summary.contains("; VRRP: web (VRID 51, version 2, every 1 s; as backup takes over within 3.4 s)"),
                "\(config.summary)")
        #expect(config.summary.contains("failover within"), "api is on floatip's own protocol")
    }

    @Test func everySettingIsRead() throws {
        let yaml = vrrpConfig.replacingLine(12, with: [
            "      advert_interval: 50ms", "      version: 3", "      preempt_delay: 5s",
            "      unicast_peers: [198.18.0.1, 198.18.0.2]", "      v3_checksum: message",
        ].joined(separator: "\n"))
        let vrrp = try #require(try parse(yaml).groups[0].vrrp)
        #expect(vrrp == VRRPGroupConfig(
            vrid: 51, version: 3, advertInterval: .milliseconds(50), preemptDelay: .seconds(5),
            unicastPeers: [.ipv4(198, 18, 0, 1), .ipv4(198, 18, 0, 2)], checksumForm: .message))
        let v2 = try #require(try parse(vrrpConfig.replacingLine(12, with: "      auth_pass_file: /etc/floatip/vrrp-pass"))
            .groups[0].vrrp)
        #expect(v2.authPassFile == "/etc/floatip/vrrp-pass")
    }

    /// Each problem names the field and says why, and what to do.
    @Test(arguments: [
        (9, "    protocol: carp", "groups[0].protocol: unknown protocol `carp`"),
        (9, "    protocol: floatip", "groups[0].vrrp: `vrrp:` settings need `protocol: vrrp`"),
        (11, "      vrid: 0", "groups[0].vrrp.vrid: 0 is out of range; allowed: a virtual router id from 1 to 255"),
        (11, "      vrid: 51\n      version: 4", "groups[0].vrrp.version: 4 is out of range"),
        (12, "      advert_interval: 500ms", "groups[0].vrrp.advert_interval: version 2 advertises in whole seconds"),
        (12, "      advert_interval: 55ms\n      version: 3", "groups[0].vrrp.advert_interval: version 3 advertises in steps of 10ms"),
        (12, "      version: 3\n      auth_pass_file: /etc/p", "groups[0].vrrp.auth_pass_file: version 3 has no authentication"),
        (12, "      v3_checksum: message", "groups[0].vrrp.v3_checksum: applies to version 3 only"),
        (12, "      version: 3\n      v3_checksum: sum", "groups[0].vrrp.v3_checksum: unknown checksum form `sum`"),
        (12, "      unicast_peers: [2001:2::1]", "groups[0].vrrp.unicast_peers: 2001:2::1 is another family than the group's addresses (IPv4)"),
        (12, "      unicast_peers: [198.18.0.300]", "groups[0].vrrp.unicast_peers[0]: `198.18.0.300` is not an IP address"),
        (12, "      unicast_peers: [198.18.0.3]", "groups[0].vrrp.unicast_peers: 198.18.0.3 is this node's own address"),
        (12, "      unicast_peers: [198.18.0.1, 198.18.0.1]", "groups[0].vrrp.unicast_peers[1]: 198.18.0.1 is listed twice"),
        (12, "      interval: 1s", "groups[0].vrrp.interval: unknown key"),
        (6, "    addresses: [2001:2::100]", "groups[0].vrrp.version: VRRP over IPv6 is version 3 (RFC 5798)"),
        (6, "    addresses: [198.18.0.100, 2001:2::100]", "groups[0].addresses: 2001:2::100 is another family than 198.18.0.100"),
        (6, "    addresses: [2001:2::100]\n    interface: eth0\n    priority: 150\n    protocol: vrrp\n    vrrp: { vrid: 51, version: 3, unicast_peers: [198.18.0.1] }\n  - name: x\n    addresses: [198.18.9.9]",
         "groups[0].vrrp.unicast_peers: 198.18.0.1 is another family than the group's addresses (IPv6)"),
        (7, "    interface: eth0\n    mover: { kind: hetzner, token_file: /etc/floatip/t }",
         "groups[0].protocol: a `protocol: vrrp` group moves its addresses on the LAN (mover `local`)"),
        (9, "    protocol: vrrp\n    vrrps: {}", "groups[0].vrrps: unknown key"),
        (16, "    priority: 100\n    protocol: vrrp\n    vrrp: { vrid: 51 }",
         "groups[1].vrrp.vrid: VRID 51 (IPv4) on eth0 is also group `web`'s; one group per virtual router"),
        (3, "secret_file: /etc/floatip/secret\ncoordination: { kind: etcd, endpoints: [\"https://198.18.0.9:2379\"] }",
         "coordination: group `web` speaks VRRP"),
    ])
    func problemsAreNamed(line: Int, text: String, expected: String) {
        let found = messages(vrrpConfig.replacingLine(line, with: text))
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    /// IPv6 in version 3, multicast: the router advertises from the link-local address the agent finds.
    @Test func anIPv6GroupIsVersion3() throws {
        let yaml = vrrpConfig.replacingLine(6, with: "    addresses: [2001:2::100]").replacingLine(12, with: "      version: 3")
        let group = try parse(yaml).groups[0]
        #expect(group.isIPv6 && group.vrrp?.version == 3)
        let source = try #require(IPAddress("fe80::1"))
        #expect(group.vrrpRouter(node: NodeConfig(name: "web3", address: .ipv4(198, 18, 0, 3)), source: source)?.ownAddress == source)
    }

    /// IPv6 over unicast (keepalived's `unicast_peer` with IPv6 addresses): global and link-local peers.
    @Test func anIPv6GroupTakesUnicastPeers() throws {
        let yaml = vrrpConfig.replacingLine(6, with: "    addresses: [2001:2::100]")
            .replacingLine(12, with: "      version: 3\n      unicast_peers: [2001:2::2, fe80::2]")
        let vrrp = try #require(try parse(yaml).groups[0].vrrp)
        #expect(vrrp.unicastPeers == [IPAddress("2001:2::2")!, IPAddress("fe80::2")!])
    }

    /// Without `vrrp:`, `protocol: vrrp` says what is missing.
    @Test func theVRRPBlockIsRequired() {
        let found = messages(vrrpConfig.replacingLine(10, with: "").replacingLine(11, with: "").replacingLine(12, with: ""))
        #expect(found.contains { $0.hasPrefix("groups[0].vrrp: missing required field `vrrp`") }, "\(found)")
    }

    /// A reload cannot add, change or remove a VRRP group (the speaker is made at start); the others can.
    @Test func aReloadRefusesVRRPChanges() throws {
        let running = try parse(vrrpConfig)
        let changed = try parse(vrrpConfig.replacingLine(8, with: "    priority: 160"))
        #expect(ConfigReload(from: running, to: changed).refusals.contains { $0.hasPrefix("groups with `protocol: vrrp` changed") })
        let other = try parse(vrrpConfig.replacingLine(16, with: "    priority: 120"))
        #expect(ConfigReload(from: running, to: other).refusals.isEmpty)
    }
}
