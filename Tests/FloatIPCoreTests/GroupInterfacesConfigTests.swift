import Testing
@testable import FloatIPCore

/// A router's LAN and WAN addresses as one group (`addresses: [{address, interface}]`). Line numbers
/// matter: the cases below replace one line.
private let edgeConfig = """
    cluster: edge
    node: { name: r1, address: 198.18.0.1 }
    peers: [{ name: r2, address: 198.18.0.2 }]
    secret_file: /etc/floatip/secret
    groups:
      - name: edge
        addresses: [198.18.0.254/24, { address: 198.18.1.254/24, interface: eth1 }, { address: 2001:2:1::1, interface: eth1 }]
        interface: eth0
        priority: 200
    """

private func parse(_ yaml: String) throws -> ClusterConfig { try ConfigParser.parse(yaml: yaml, file: "edge.yaml").get() }

@Suite struct GroupInterfacesConfigTests {
    @Test func addressesNameTheirOwnInterfaces() throws {
        let group = try #require(try parse(edgeConfig).groups.first)
        let lan = IPPrefix(address: IPAddress("198.18.0.254")!, length: 24)
        let wan = IPPrefix(address: IPAddress("198.18.1.254")!, length: 24)
        let wan6 = IPPrefix(address: IPAddress("2001:2:1::1")!, length: 128)
        #expect(group.addresses == [lan, wan, wan6])
        #expect(group.interface == "eth0")
        #expect(group.addressInterfaces == [wan: "eth1", wan6: "eth1"])
        #expect(group.placements == [.init(interface: "eth0", addresses: [lan]), .init(interface: "eth1", addresses: [wan, wan6])])
        #expect(group.interface(of: lan) == "eth0" && group.interface(of: wan) == "eth1")
    }

    /// A group spanning interfaces tracks every link it has addresses on: either one down is a fault.
    @Test func everyInterfaceOfTheGroupIsTracked() throws {
        let config = try parse(edgeConfig)
        #expect(config.trackedInterfaces == ["eth0", "eth1"])
        #expect(config.runnableChecks.map(\.name) == ["link eth0", "link eth1"])
        #expect(config.runnableChecks.allSatisfy { config.groups[0].uses($0) })
        #expect(config.summary.contains("links tracked: eth0 (implicit check `link eth0`), eth1 (implicit check `link eth1`)"))
    }

    /// Without a group `interface`, the first address's is the group's; one the same as the group's is no override.
    @Test func theGroupInterfaceMayComeFromTheAddresses() throws {
        let config = try parse(edgeConfig
            .replacingLine(7, with: "    addresses: [{ address: 198.18.0.254/24, interface: eth0 }, { address: 198.18.1.254/24, interface: eth1 }]")
            .replacingLine(8, with: "    preempt: true"))
        let group = try #require(config.groups.first)
        #expect(group.interface == "eth0")
        #expect(group.addressInterfaces == [IPPrefix(address: IPAddress("198.18.1.254")!, length: 24): "eth1"])
        #expect(group.interfaces == ["eth0", "eth1"])
    }

    /// A reload that moves an address to another interface remakes the group (no in-place move).
    @Test func aReloadThatMovesAnAddressRemakesTheGroup() throws {
        let old = try parse(edgeConfig)
        let new = try parse(edgeConfig.replacingLine(7, with: "    addresses: [198.18.0.254/24, { address: 198.18.1.254/24, interface: eth2 }, { address: 2001:2:1::1, interface: eth1 }]"))
        let reload = ConfigReload(from: old, to: new)
        #expect(reload.change(of: "edge") == .remade(why: "the addresses' interfaces changed"), "\(reload.summary)")
    }

    @Test(arguments: [
        (7, "    addresses: [198.18.0.254/24, { address: 198.18.1.254/24, interface: eth1, dev: eth1 }]", 7,
         "groups[0].addresses[1].dev", "unknown key"),
        (7, "    addresses: [198.18.0.254/24, { interface: eth1 }]", 7,
         "groups[0].addresses[1].address", "missing required field `address`"),
        (7, "    addresses: [198.18.0.254/24, { address: 198.18.1.254/24, interface: \"eth 1\" }]", 7,
         "groups[0].addresses[1].interface", "is not an interface name"),
        (7, "    addresses: [198.18.0.254/24, { address: 198.18.1.999, interface: eth1 }]", 7,
         "groups[0].addresses[1].address", "198.18.1.999"),
        (8, "    interface: eth0\n    virtual_mac: 7", 9, "groups[0].virtual_mac",
         "`virtual_mac` puts every address of the group on one macvlan"),
        (8, "    interface: eth0\n    mover: { kind: hetzner, token_file: /etc/floatip/hcloud }", 7, "groups[0].addresses",
         "an address with its own `interface` needs the `local` mover"),
        (8, "    preempt: true", 6, "groups[0].interface", "or an `interface` on every address"),
    ])
    func rejectsWhatCannotWork(line: Int, text: String, problemLine: Int, path: String, message: String) {
        let found = problems(edgeConfig.replacingLine(line, with: text))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == problemLine, "\(found)")
        #expect(found.first?.path == path, "\(found)")
        #expect(found.first?.message.contains(message) == true, "\(found)")
    }
}
