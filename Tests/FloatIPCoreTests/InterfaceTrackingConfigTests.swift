import Testing
@testable import FloatIPCore

/// Two groups on eth0 and one on eth1, a DNS group without an interface, and no explicit `interface`
/// check. Line numbers matter: the cases below replace one line.
private let trackingConfig = """
    cluster: web
    node: { name: web1, address: 198.18.0.1 }
    peers: [{ name: web2, address: 198.18.0.2 }]
    secret_file: /etc/floatip/secret
    groups:
      - name: web
        addresses: [198.18.0.100]
        interface: eth0
        priority: 200
        checks: [nginx]
      - name: api
        addresses: [198.18.0.101]
        interface: eth0
        priority: 200
      - name: db
        addresses: [198.18.1.100]
        interface: eth1
        mover: { kind: hetzner, token_file: /etc/floatip/hcloud }
        priority: 200
      - name: www
        mover: { kind: dns, server: 198.18.0.53, zone: example.com, name: www, key_file: /etc/floatip/tsig }
        priority: 200
    checks:
      - { name: nginx, kind: file, target: /run/nginx.up }
    """

private func replacing(_ number: Int, with text: String) -> String { trackingConfig.replacingLine(number, with: text) }

private func parse(_ yaml: String) throws -> ClusterConfig { try ConfigParser.parse(yaml: yaml, file: "web.yaml").get() }

@Suite struct InterfaceTrackingConfigTests {
    /// Every group with an `interface` tracks it by default: one implicit `link IFACE` per interface,
    /// required, fall 1, rise 7 × 500 ms, that applies only to the groups on that interface.
    @Test func everyInterfaceOfAGroupGetsAnImplicitRequiredCheck() throws {
        let config = try parse(trackingConfig)
        #expect(config.groups.map(\.trackInterface) == [true, true, true, true])
        #expect(config.groups.map(\.trackedInterfaces) == [["eth0"], ["eth0"], ["eth1"], []])
        #expect(config.checks.map(\.name) == ["nginx"], "the configured checks stay as written")
        #expect(config.runnableChecks.map(\.name) == ["nginx", "link eth0", "link eth1"])
        let link = try #require(config.runnableChecks.first { $0.name == "link eth0" })
        #expect(link == CheckConfig(
            name: "link eth0", kind: .interface, target: "eth0", interval: .milliseconds(500),
            timeout: .milliseconds(400), rise: 7, fall: 1, effect: .required, implicit: true))
        #expect(InterfaceTracking.riseWindow == .milliseconds(2500))
        #expect(config.summary.hasSuffix("; links tracked: eth0 (implicit check `link eth0`), "
            + "eth1 (implicit check `link eth1`)"), "\(config.summary)")
    }

    /// The implicit check faults the groups on its interface, even one whose `checks:` does not name it,
    /// and no other group, even one that uses every check.
    @Test func theImplicitCheckFaultsOnlyTheGroupsOnItsInterface() throws {
        let config = try parse(trackingConfig)
        let states = config.runnableChecks.map {
            CheckState(config: $0, state: $0.name == "link eth0" ? .failing : .passing, detail: "eth0 is down")
        }
        let conditions = config.groups.map { HealthSummary.condition(for: $0, checks: states, maintenance: false) }
        #expect(conditions.map(\.healthy) == [false, false, true, true])
        #expect(conditions[0].faultReason == "required check link eth0 failing: eth0 is down")
        let web = config.groups[0]
        #expect(!web.uses(try #require(config.runnableChecks.first { $0.name == "link eth1" })))
    }

    @Test func trackInterfaceFalseOptsAGroupOut() throws {
        let config = try parse(replacing(9, with: "    priority: 200\n    track_interface: false"))
        #expect(config.groups.map(\.trackInterface) == [false, true, true, true])
        #expect(config.runnableChecks.map(\.name) == ["nginx", "link eth0", "link eth1"], "api still tracks eth0")
        let link = try #require(config.runnableChecks.first { $0.name == "link eth0" })
        #expect(!config.groups[0].uses(link) && config.groups[1].uses(link))

        var alone = trackingConfig
        // From the bottom up: each replacement adds a line.
        for line in [19, 14, 9] { alone = alone.replacingLine(line, with: "    priority: 200\n    track_interface: false") }
        let none = try parse(alone)
        #expect(none.runnableChecks.map(\.name) == ["nginx"])
        #expect(!none.summary.contains("links tracked"), "\(none.summary)")
        #expect(try parse(replacing(9, with: "    priority: 200\n    track_interface: true")).groups[0].trackInterface)
    }

    /// An explicit `interface` check on the same interface takes the implicit one's place: no second check,
    /// and it applies to every group on that interface (with its own rise, fall and effect).
    @Test func anExplicitInterfaceCheckIsNotDoubled() throws {
        let yaml = trackingConfig + "\n  - { name: uplink, kind: interface, target: eth0, weight: -50 }"
        let config = try parse(yaml)
        #expect(config.runnableChecks.map(\.name) == ["nginx", "uplink", "link eth1"])
        let uplink = config.checks[1]
        #expect(config.groups.map { $0.uses(uplink) } == [true, true, true, true],
                "web (checks: [nginx]) too; db and www use every check, as before")
        #expect(config.summary.hasSuffix("; links tracked: eth0 (check `uplink`), eth1 (implicit check `link eth1`)"),
                "\(config.summary)")
        let web = HealthSummary.condition(
            for: config.groups[0], checks: [CheckState(config: uplink, state: .failing)], maintenance: false)
        #expect(web.healthy && web.priority == 150, "its weight, not a fault")
        // Opted out, the explicit check applies only where `checks:` names it, as it always did.
        let optedOut = try parse(
            replacing(9, with: "    priority: 200\n    track_interface: false") + "\n  - { name: uplink, kind: interface, target: eth0 }")
        #expect(!optedOut.groups[0].uses(optedOut.checks[1]))
    }

    /// Each case replaces one line; the problem names the file, the line and the field.
    @Test(arguments: [
        (10, "    track_interface: maybe", 10, "groups[0].track_interface", "must be `true` or `false`; found"),
        (10, "    track_interface: \"false\"", 10, "groups[0].track_interface", "must be `true` or `false`; found"),
        (10, "    track_interface: [eth0]", 10, "groups[0].track_interface", "must be `true` or `false`; found"),
        (22, "    priority: 200\n    track_interface: true", 23, "groups[3].track_interface",
         "this group has no `interface`, so there is no link to track; remove `track_interface` (it applies to a "
            + "group whose addresses go on a local interface)"),
        (10, "    track_interfaces: false", 10, "groups[0].track_interfaces", "did you mean `track_interface`?"),
    ])
    func rejectsBadValues(line: Int, text: String, problemLine: Int, path: String, message: String) {
        let found = problems(replacing(line, with: text))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.file == "web.yaml" && found.first?.line == problemLine, "\(found)")
        #expect(found.first?.path == path, "\(found)")
        #expect(found.first?.message.contains(message) == true, "\(found)")
    }
}

@Suite struct RisingCheckReasonTests {
    /// A failing check that passes again but not yet `rise` times in a row says so, without the count (a
    /// new reason on every pass would be a new decision pass and log line each time).
    @Test func aRecoveringCheckSaysWhatItWaitsFor() {
        let group = GroupConfig(name: "web", addresses: [], interface: "eth0", priority: 100)
        let link = InterfaceTracking.check("eth0")
        func reason(_ streak: Int, _ detail: String) -> String? {
            HealthSummary.condition(
                for: group, checks: [CheckState(config: link, state: .failing, detail: detail, streak: streak)],
                maintenance: false
            ).faultReason
        }
        #expect(reason(0, "eth0 is down") == "required check link eth0 failing: eth0 is down")
        #expect(reason(1, "eth0 is up and running")
            == "required check link eth0 failing until 7 passes in a row (last: eth0 is up and running)")
        #expect(reason(5, "eth0 is up and running") == reason(1, "eth0 is up and running"))
    }
}
