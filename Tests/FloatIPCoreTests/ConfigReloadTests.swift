import Testing

@testable import FloatIPCore

/// `ConfigReload`: what a reload changes, group by group, and what it refuses.
@Suite struct ConfigReloadTests {
    static let vip = IPPrefix(address: .ipv4(198, 18, 0, 100), length: 32)
    static let second = IPPrefix(address: .ipv4(198, 18, 0, 101), length: 32)

    static func group(_ name: String, priority: Int = 200, addresses: [IPPrefix] = [vip]) -> GroupConfig {
        GroupConfig(name: name, addresses: addresses, interface: "eth0", priority: priority)
    }

    static func config(_ groups: [GroupConfig], peers: [PeerConfig]? = nil) -> ClusterConfig {
        ClusterConfig(
            cluster: "web", node: NodeConfig(name: "web1", address: .ipv4(198, 18, 0, 1)),
            peers: peers ?? [PeerConfig(name: "web2", address: .ipv4(198, 18, 0, 2))], secretFile: "/etc/floatip/secret",
            timers: Timers(), groups: groups, checks: [], api: APIConfig())
    }

    @Test func theSameConfigChangesNothing() {
        let config = Self.config([Self.group("web")])
        let change = ConfigReload(from: config, to: config)
        #expect(change.isEmpty && change.refusals.isEmpty)
        #expect(change.summary == "nothing changed")
    }

    @Test func groupsAddedAndRemovedAreNamed() {
        let change = ConfigReload(
            from: Self.config([Self.group("web"), Self.group("db", addresses: [Self.second])]),
            to: Self.config([Self.group("web"), Self.group("api", addresses: [Self.second])]))
        #expect(change.change(of: "api") == .added)
        #expect(change.change(of: "db") == .removed)
        #expect(change.change(of: "web") == nil, "unchanged groups are not listed")
        #expect(change.summary == "groups: api added, db removed")
    }

    @Test func inPlaceChangesListTheirFieldsAndAddresses() {
        var changed = Self.group("web", priority: 150, addresses: [Self.vip, Self.second])
        changed.preempt = false
        changed.announce.count = 5
        let change = ConfigReload(from: Self.config([Self.group("web")]), to: Self.config([changed]))
        #expect(change.change(of: "web") == .changed(
            fields: ["addresses", "priority", "preempt", "announce"], addressesAdded: [Self.second], addressesRemoved: []))
        #expect(change.summary == "groups: web addresses, priority, preempt, announce (+198.18.0.101/32)")
        let back = ConfigReload(from: Self.config([changed]), to: Self.config([Self.group("web", priority: 150)]))
        guard case .changed(_, let added, let removed) = back.change(of: "web") else {
            Issue.record("\(back.summary)")
            return
        }
        #expect(added.isEmpty && removed == [Self.second])
    }

    @Test func aNewMoverOrInterfaceRemakesTheGroup() {
        var script = Self.group("web")
        script.mover = MoverConfig(kind: .script, options: ["claim": "/bin/true"])
        var moved = Self.group("web")
        moved.interface = "eth1"
        let running = Self.config([Self.group("web")])
        #expect(ConfigReload(from: running, to: Self.config([script])).change(of: "web") == .remade(why: "mover local → script"))
        #expect(ConfigReload(from: running, to: Self.config([moved])).change(of: "web") == .remade(why: "interface eth0 → eth1"))
        // Addresses move in place only with the local mover; a provider's are claimed anew.
        var cloud = script
        cloud.addresses = [Self.second]
        guard case .remade = ConfigReload(from: Self.config([script]), to: Self.config([cloud])).change(of: "web") else {
            Issue.record("a script group's new addresses remake it")
            return
        }
    }

    @Test func whatOnlyARestartCanChangeIsRefused() {
        let running = Self.config([Self.group("web")])
        var renamed = running
        renamed.node.name = "web9"
        renamed.node.port = 7000
        renamed.api.listenPort = 7000
        renamed.eventLog = "/var/log/floatip/other.jsonl"
        let change = ConfigReload(from: running, to: renamed)
        #expect(change.refusals.count == 4, "\(change.refusals)")
        #expect(change.refusals.first?.hasPrefix("node.name changed: ") == true)
        #expect(change.refusals.allSatisfy { $0.hasSuffix("restart the agent to apply it") })
    }

    @Test func checksAddedChangedAndRemovedAreNamed() {
        var running = Self.config([Self.group("web")])
        running.checks = [CheckConfig(name: "up", kind: .file, target: "/run/up"), CheckConfig(name: "gone", kind: .file, target: "/run/x")]
        var new = running
        new.checks = [CheckConfig(name: "up", kind: .file, target: "/run/up", rise: 3), CheckConfig(name: "db", kind: .tcp, target: "127.0.0.1:5432")]
        let change = ConfigReload(from: running, to: new)
        #expect(change.refusals.isEmpty, "checks change in place")
        #expect(change.checksAdded == ["db"] && change.checksChanged == ["up"] && change.checksRemoved == ["gone"])
        #expect(change.summary == "checks: db added, gone removed, up changed")
    }

    @Test func peersAndTimersAreNamed() {
        let running = Self.config([Self.group("web")])
        var new = Self.config(
            [Self.group("web")],
            peers: [PeerConfig(name: "web2", address: .ipv4(198, 18, 0, 12)), PeerConfig(name: "web3", address: .ipv4(198, 18, 0, 3))])
        new.timers.preemptDelay = .seconds(3)
        let change = ConfigReload(from: running, to: new)
        #expect(change.peersAdded == ["web3"] && change.peersChanged == ["web2"] && change.peersRemoved.isEmpty)
        #expect(change.timersChanged)
        #expect(change.summary == "peers: web3 added, web2 changed; timers changed")
    }
}
