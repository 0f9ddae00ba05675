import Testing
@testable import FloatIPCore

/// A valid config with every field; the tests below change one line of it at a time, so line numbers hold.
private let fullConfig = """
    cluster: web
    node: { name: web1, address: 198.18.0.1, port: 7453 }
    peers:
      - { name: web2, address: 198.18.0.2 }
    secret_file: /etc/floatip/secret
    timers: { interval: 20ms, dead_after: 15, preempt_delay: 10s, startup_listen: 300ms, handover_timeout: 5s }
    groups:
      - name: web
        addresses: [198.18.0.100/32, 2001:2::100]
        interface: eth0
        mover: local
        priority: 200
        preempt: true
        checks: [nginx]
    checks:
      - { name: nginx, kind: http, target: "http://127.0.0.1/health", interval: 1s, timeout: 500ms, rise: 2, fall: 2, required: true }
      - { name: load, kind: command, target: "/usr/local/bin/check-load", weight: -50 }
    api: { listen: "127.0.0.1:7454", token_file: /etc/floatip/token }
    """

/// The smallest valid config: everything else defaulted.
private let minimalConfig = """
    cluster: db
    node: { name: db1, address: 2001:2::1 }
    secret_file: /etc/floatip/secret
    groups:
      - { name: db, addresses: ["2001:2::10"], interface: eth0, priority: 100 }
    """

/// `fullConfig` with line `number` (1-based) replaced by `text`.
private func full(line number: Int, _ text: String) -> String { fullConfig.replacingLine(number, with: text) }

/// One invalid field: the line to change, its new text, and the problem expected (path, line, message fragment).
struct InvalidCase: CustomTestStringConvertible, Sendable {
    var line: Int
    var text: String
    var path: String
    var problemLine: Int
    var fragment: String

    init(_ line: Int, _ text: String, _ path: String, _ problemLine: Int, _ fragment: String) {
        self.line = line
        self.text = text
        self.path = path
        self.problemLine = problemLine
        self.fragment = fragment
    }

    /// The problem is on the changed line.
    init(_ line: Int, _ text: String, _ path: String, _ fragment: String) {
        self.init(line, text, path, line, fragment)
    }

    var testDescription: String { "\(path): \(fragment)" }
}

@Suite struct ConfigParserTests {
    @Test func fullConfigReadsEveryField() throws {
        let config = try ConfigParser.parse(yaml: fullConfig, file: "web.yaml").get()
        #expect(config.cluster == "web")
        #expect(config.node == NodeConfig(name: "web1", address: .ipv4(198, 18, 0, 1), port: 7453))
        #expect(config.peers == [PeerConfig(name: "web2", address: .ipv4(198, 18, 0, 2), port: defaultPeerPort)])
        #expect(config.secretFile == "/etc/floatip/secret")
        #expect(config.timers.interval == .milliseconds(20))
        #expect(config.timers.deadAfter == 15)
        #expect(config.timers.preemptDelay == .seconds(10))
        #expect(config.timers.startupListen == .milliseconds(300))
        #expect(config.timers.handoverTimeout == .seconds(5))
        let group = try #require(config.groups.first)
        #expect(config.groups.count == 1)
        #expect(group.name == "web")
        #expect(group.addresses.map(\.description) == ["198.18.0.100/32", "2001:2::100/128"])
        #expect(group.interface == "eth0")
        #expect(group.mover == MoverConfig(kind: .local))
        #expect(group.priority == 200)
        #expect(group.preempt == true)
        #expect(group.checks == ["nginx"])
        #expect(config.checks == [
            CheckConfig(name: "nginx", kind: .http, target: "http://127.0.0.1/health", interval: .seconds(1),
                        timeout: .milliseconds(500), rise: 2, fall: 2, effect: .required),
            CheckConfig(name: "load", kind: .command, target: "/usr/local/bin/check-load", effect: .weight(-50)),
        ])
        #expect(config.api == APIConfig(listenAddress: .ipv4(127, 0, 0, 1), listenPort: 7454,
                                        tokenFile: "/etc/floatip/token"))
        #expect(config.summary == "cluster web, node web1, 1 peer, 1 group (2 addresses), 2 checks; "
            + "failover within 330 ms; links tracked: eth0 (implicit check `link eth0`)")
    }

    @Test func defaultsApplied() throws {
        let config = try ConfigParser.parse(yaml: minimalConfig, file: "db.yaml").get()
        #expect(config.node.port == defaultPeerPort)
        #expect(config.peers.isEmpty)
        #expect(config.timers == Timers())
        #expect(config.timers.interval == .milliseconds(20))
        #expect(config.timers.deadAfter == 15)
        #expect(config.timers.preemptDelay == .seconds(10))
        #expect(config.timers.startupListen == .milliseconds(300))
        #expect(config.timers.handoverTimeout == .seconds(5))
        #expect(config.groups[0].mover == MoverConfig(kind: .local))
        #expect(config.groups[0].preempt)
        #expect(config.groups[0].checks == nil)
        #expect(config.checks.isEmpty)
        #expect(config.api == APIConfig())
    }

    @Test func startupListenDefaultsToTheDeadInterval() throws {
        let yaml = full(line: 6, "timers: { interval: 50ms, dead_after: 6 }")
        let timers = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get().timers
        #expect(timers.startupListen == .milliseconds(300))
        #expect(timers.failoverBound == .milliseconds(360))
    }

    @Test func checkDefaults() throws {
        let yaml = full(line: 16, "  - { name: nginx, kind: tcp, target: \"[::1]:80\" }")
        let check = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get().checks[0]
        #expect(check == CheckConfig(name: "nginx", kind: .tcp, target: "[::1]:80", interval: .seconds(1),
                                     timeout: .milliseconds(500), rise: 2, fall: 2, effect: .required))
    }

    @Test func eventLogIsAnOptionalAbsolutePath() throws {
        let config = try ConfigParser.parse(yaml: fullConfig + "\nevent_log: /var/log/floatip/events.jsonl", file: "web.yaml").get()
        #expect(config.eventLog == "/var/log/floatip/events.jsonl")
        #expect(try ConfigParser.parse(yaml: fullConfig, file: "web.yaml").get().eventLog == nil)
    }

    @Test func dnsGroupsHaveNoAddressesAndNoInterface() throws {
        let yaml = fullConfig.replacingLine(9, with: "    mover: { kind: dns, server: \"127.0.0.1:5353\", zone: example.test, name: vip.example.test }")
            .replacingLine(10, with: "    priority: 200").replacingLine(11, with: "").replacingLine(12, with: "")
        let config = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get()
        #expect(config.groups[0].mover == MoverConfig(kind: .dns, options: [
            "server": "127.0.0.1:5353", "zone": "example.test", "name": "vip.example.test"]))
        #expect(config.groups[0].addresses.isEmpty && config.groups[0].interface == nil)
    }

    @Test("dns, cloudflare and route53 groups: `addresses` and `interface` are rejected, naming the kind",
          arguments: ["dns", "cloudflare", "route53"])
    func dnsRecordGroupsRejectAddressesAndInterface(_ kind: String) throws {
        let both = full(line: 11, "    mover: { kind: \(kind), zone_id: Z1 }")
        let found = problems(both)
        #expect(found.map(\.path) == ["groups[0].addresses", "groups[0].interface"])
        #expect(found.first?.message.contains("the `\(kind)` mover has no floating addresses") == true)
        #expect(found.last?.message.contains("configures nothing on an interface") == true)
        #expect(found.map(\.line) == [9, 10])
        let neither = both.replacingLine(9, with: "").replacingLine(10, with: "")
        let config = try ConfigParser.parse(yaml: neither, file: "web.yaml").get()
        #expect(config.groups[0].mover.kind.rawValue == kind && config.groups[0].addresses.isEmpty)
    }

    @Test func moverMappingAndIPv6Listen() throws {
        let yaml = full(line: 11, "    mover: { kind: local }")
            .replacingLine(18, with: "api: { listen: \"[::1]:9000\" }")
        let config = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get()
        #expect(config.groups[0].mover.kind == .local)
        #expect(config.api.listenAddress == IPAddress("::1"))
        #expect(config.api.listenPort == 9000)
        #expect(config.api.tokenFile == nil)
    }

    @Test("a mover option may be a list of texts, read as the texts joined by `, `; a list of mappings may not")
    func moverListOption() throws {
        let yaml = full(line: 11, "    mover: { kind: aws, route_tables: [rtb-1, rtb-2], overlay: true }")
        let config = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get()
        #expect(config.groups[0].mover.options == ["route_tables": "rtb-1, rtb-2", "overlay": "true"])
        let nested = full(line: 11, "    mover: { kind: aws, route_tables: [{ id: rtb-1 }] }")
        let found = problems(nested)
        #expect(found.map(\.path) == ["groups[0].mover.route_tables"], "\(found)")
        #expect(found.first?.message.contains("(or lists of texts); found") == true, "\(found)")
    }

    @Test func apiSocketAndNoTCP() throws {
        let yaml = full(line: 18, "api: { listen: off, socket: /run/floatip-test/api.sock }")
        let config = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get()
        #expect(config.api.tcpEnabled == false)
        #expect(config.api.socketPath() == "/run/floatip-test/api.sock")
        #expect(APIConfig().socketPath() == "/run/floatip/api.sock")
        #expect(APIConfig().tcpEnabled && APIConfig().listensOnLoopbackOnly)
        #expect(!APIConfig(listenAddress: .ipv4(0, 0, 0, 0)).listensOnLoopbackOnly)
        #expect(APIConfig(listenAddress: IPAddress("::1")!).listensOnLoopbackOnly)
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(1, "cluster: web!", "cluster", "`web!` is not a valid name; names are 1 to 63"),
        InvalidCase(1, "cluster: " + String(repeating: "a", count: 64), "cluster", "not a valid name"),
        InvalidCase(1, "cluster: [web]", "cluster", "must be text; found a list"),
        InvalidCase(2, "node: { name: web1, address: 198.18.0.1, port: 0 }", "node.port", "a port from 1 to 65535"),
        InvalidCase(2, "node: { name: web1, address: 198.18.0.256 }", "node.address", "is not an IP address"),
        InvalidCase(2, "node: { name: web1 }", "node.address", "missing required field `address`"),
        InvalidCase(2, "node: web1", "node", "must be a mapping of `name`, `address`, `port`"),
        InvalidCase(4, "  - { name: web1, address: 198.18.0.2 }", "peers[0].name", "this node's own name"),
        InvalidCase(4, "  - { name: web2, address: 198.18.0.1 }", "peers[0].address", "own address and port"),
        InvalidCase(4, "  - { name: web2, address: \"2001:2::2\" }", "peers[0].address", "of the same family"),
        InvalidCase(4, "  - { name: web2, address: 198.18.0.2, port: x }", "peers[0].port", "must be a whole number"),
        InvalidCase(4, "  - { name: web_2!, address: 198.18.0.2 }", "peers[0].name", "not a valid name"),
        InvalidCase(5, "secret_file: secret", "secret_file", "must be an absolute path"),
        InvalidCase(5, "", "secret_file", 1, "missing required field `secret_file`"),
        InvalidCase(5, "secret_fle: /etc/floatip/secret", "secret_fle", "unknown key (did you mean `secret_file`?)"),
        InvalidCase(6, "timers: { interval: 20 }", "timers.interval", "`20` has no unit; units are required"),
        InvalidCase(6, "timers: { interval: 500us }", "timers.interval", "allowed: from 1ms to 10s"),
        InvalidCase(6, "timers: { interval: 11s }", "timers.interval", "allowed: from 1ms to 10s"),
        InvalidCase(6, "timers: { interval: 20 ms s }", "timers.interval", "unknown unit"),
        InvalidCase(6, "timers: { dead_after: 1 }", "timers.dead_after", "allowed: from 2 to 1000 heartbeats"),
        InvalidCase(6, "timers: { dead_after: 2.5 }", "timers.dead_after", "must be a whole number"),
        InvalidCase(6, "timers: { preempt_delay: -1s }", "timers.preempt_delay", "allowed: from 0s to 24h"),
        InvalidCase(6, "timers: { startup_listen: -5ms }", "timers.startup_listen", "allowed: from 0s to 24h"),
        InvalidCase(6, "timers: { handover_timeout: 100ms }", "timers.handover_timeout",
                    "handover_timeout 100ms is shorter than the dead interval (interval × dead_after = 300ms)"),
        InvalidCase(6, "timers: { interval: 1s, dead_after: 10 }", "timers.handover_timeout",
                    "the default handover_timeout 5s is shorter than the dead interval"),
        InvalidCase(6, "timers: { intervl: 20ms }", "timers.intervl", "unknown key (did you mean `interval`?)"),
        InvalidCase(6, "timers: [20ms]", "timers", "must be a mapping"),
        InvalidCase(8, "  - name: -web", "groups[0].name", "`-web` is not a valid name"),
        InvalidCase(9, "    addresses: [198.18.0.100/33]", "groups[0].addresses[0]",
                    "prefix length /33 is longer than the family allows (at most /32)"),
        InvalidCase(9, "    addresses: [\"2001:2::100/129\"]", "groups[0].addresses[0]", "(at most /128)"),
        InvalidCase(9, "    addresses: [198.18.0.100, 198.18.0.100/24]", "groups[0].addresses[1]",
                    "198.18.0.100 is also groups[0].addresses[0]"),
        InvalidCase(9, "    addresses: [198.18.0.1]", "groups[0].addresses[0]", "this node's own address"),
        InvalidCase(9, "    addresses: [198.18.0.2]", "groups[0].addresses[0]", "own address of peer `web2`"),
        InvalidCase(9, "    addresses: [1.2.3]", "groups[0].addresses[0]", "`1.2.3` is not an IP address"),
        InvalidCase(9, "    addresses: []", "groups[0].addresses", "needs at least one address"),
        InvalidCase(9, "    addresses: 198.18.0.100", "groups[0].addresses", "must be a list of addresses"),
        InvalidCase(10, "    interface: eth0/1", "groups[0].interface", "not an interface name"),
        InvalidCase(10, "", "groups[0].interface", 11, "missing required field `interface`: the `local` mover"),
        // An unknown word, with every kind this build has.
        InvalidCase(11, "    mover: teleport", "groups[0].mover",
                    "unknown mover `teleport`; allowed: local, digitalocean, hetzner, hetzner-robot, aws, vultr, "
                        + "linode, openstack, upcloud, lunanode, dns, cloudflare, route53, gcp, ovh, azure, script, azure-lb"),
        InvalidCase(11, "    mover: { kind: teleport, command: /x }", "groups[0].mover.kind", "unknown mover `teleport`;"),
        InvalidCase(11, "    mover: lokal", "groups[0].mover",
                    "unknown mover `lokal` (did you mean `local`?); allowed: local, digitalocean"),
        InvalidCase(11, "    mover: { kind: local, device: eth0 }", "groups[0].mover", "takes no options"),
        InvalidCase(12, "    priority: 0", "groups[0].priority", "allowed: a priority from 1 to 254"),
        InvalidCase(12, "    priority: 255", "groups[0].priority", "allowed: a priority from 1 to 254"),
        InvalidCase(12, "    priority: \"200\"", "groups[0].priority", "must be a whole number"),
        InvalidCase(12, "", "groups[0].priority", 8, "missing required field `priority`"),
        InvalidCase(13, "    preempt: maybe", "groups[0].preempt", "must be `true` or `false`"),
        InvalidCase(14, "    checks: [nginks]", "groups[0].checks[0]",
                    "unknown check `nginks` (did you mean `nginx`?)"),
        InvalidCase(14, "    checks: [nginx, nginx]", "groups[0].checks[1]", "named twice"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", interval: 1s, timeout: 1s }",
                    "checks[0].timeout", "timeout 1s must be shorter than the check's interval 1s"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", timeout: 2s }",
                    "checks[0].timeout", "timeout 2s must be shorter than the check's interval 1s"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", rise: 0 }", "checks[0].rise",
                    "allowed: from 1 to 100"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", fall: 0 }", "checks[0].fall",
                    "allowed: from 1 to 100"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", weight: 5, required: true }",
                    "checks[0].weight", "either required (`required: true`) or weighted (`weight`), not both"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", required: false }",
                    "checks[0].required", "needs a `weight`"),
        InvalidCase(16, "  - { name: nginx, kind: htp, target: \"http://x/\" }", "checks[0].kind",
                    "unknown check kind `htp` (did you mean `http`?); allowed: ping, tcp, http"),
        InvalidCase(16, "  - { name: nginx, kind: http }", "checks[0].target", "missing required field `target`"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"ftp://x/\" }", "checks[0].target",
                    "not an http check target"),
        InvalidCase(16, "  - { name: nginx, kind: ping, target: \"198.18.0\" }", "checks[0].target",
                    "not a ping check target"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", interval: 5ms }", "checks[0].interval",
                    "allowed: from 10ms to 1h"),
        InvalidCase(16, "  - { name: nginx, kind: http, target: \"http://x/\", tiemout: 5ms }", "checks[0].tiemout",
                    "unknown key (did you mean `timeout`?)"),
        InvalidCase(17, "  - { name: nginx, kind: command, target: /bin/true, weight: -50 }", "checks[1].name",
                    "duplicate check name `nginx` (also checks[0].name)"),
        InvalidCase(17, "  - { name: load, kind: command, target: check-load, weight: -50 }", "checks[1].target",
                    "must be an absolute path"),
        InvalidCase(18, "api: { listen: \"::1:7454\" }", "api.listen", "`[::1]:7454` for IPv6"),
        InvalidCase(18, "api: { listen: \"127.0.0.1\" }", "api.listen", "not an address and port"),
        InvalidCase(18, "api: { token_file: token }", "api.token_file", "must be an absolute path"),
        InvalidCase(18, "api: { socket: api.sock }", "api.socket", "must be an absolute path"),
        InvalidCase(18, "api: { socket: /\(String(repeating: "x", count: 120)) }", "api.socket", "at most 107 bytes"),
        InvalidCase(18, "api: { listen: on }", "api.listen", "or `off` for no TCP listener"),
        InvalidCase(18, "event_log: events.jsonl", "event_log", "must be an absolute path"),
        InvalidCase(18, "api: { listen: \"127.0.0.1:7454\", token: x }", "api.token",
                    "unknown key (did you mean `token_file`?)"),
    ]

    @Test(arguments: invalidCases)
    func invalidField(_ invalid: InvalidCase) {
        let found = problems(full(line: invalid.line, invalid.text))
        let match = found.first { $0.path == invalid.path && $0.line == invalid.problemLine }
        #expect(match != nil, "no problem at \(invalid.path) line \(invalid.problemLine); found:\n\(found)")
        if let match {
            #expect(match.message.contains(invalid.fragment), "\(match.message)")
            #expect(match.file == "web.yaml")
        }
    }

    @Test func duplicatePeers() {
        let yaml = full(line: 4, "  - { name: web2, address: 198.18.0.2 }\n  - { name: web2, address: 198.18.0.2 }")
        let found = problems(yaml)
        #expect(found.contains { $0.path == "peers[1].name" && $0.line == 5 && $0.message.contains("duplicate peer") })
        #expect(found.contains { $0.path == "peers[1].address" && $0.line == 5 && $0.message.contains("also peers[0]") })
    }

    @Test func duplicateGroupsAndAddressesAcrossGroups() {
        let second = """
            groups:
              - { name: web, addresses: [198.18.0.101], interface: eth0, priority: 100 }
              - { name: web, addresses: ["2001:2::100"], interface: eth0, priority: 100 }
            """
        let yaml = full(line: 7, second)
        let found = problems(yaml)
        #expect(found.contains { $0.path == "groups[1].name" && $0.line == 9 && $0.message.contains("duplicate group") })
        #expect(found.contains {
            $0.path == "groups[2].addresses[1]" && $0.line == 11 && $0.message.contains("is also groups[1].addresses[0]")
        })
    }

    @Test func stateDirIsAnAbsolutePathOrTheAgentsDefault() throws {
        #expect(try ConfigParser.parse(yaml: fullConfig, file: "web.yaml").get().stateDirectory == nil)
        let config = try ConfigParser.parse(yaml: fullConfig + "\nstate_dir: /var/lib/floatip-web\n", file: "web.yaml").get()
        #expect(config.stateDirectory == "/var/lib/floatip-web")
        let found = problems(fullConfig + "\nstate_dir: state\n")
        #expect(found.count == 1 && found.first?.path == "state_dir" && found.first?.message.contains("absolute") == true)
    }

    @Test func unknownTopLevelKeysWithLines() {
        let yaml = fullConfig + "\nclustre: x\nfoo: 1\n"
        let found = problems(yaml)
        #expect(found.count == 2)
        #expect(found.first?.description == "web.yaml:19: clustre: unknown key (did you mean `cluster`?); allowed here: "
            + "cluster, node, peers, secret_file, timers, groups, checks, api, event_log, hooks, coordination, track, "
            + "state_dir")
        #expect(found.last?.line == 20)
        #expect(found.last?.message.contains("did you mean") == false)
    }

    @Test func multipleProblemsReportedTogetherInFileOrder() {
        let yaml = full(line: 12, "    priority: 0")
            .replacingLine(1, with: "cluster: \"\"")
            .replacingLine(6, with: "timers: { interval: 20, dead_after: 1 }")
        let found = problems(yaml)
        #expect(found.map(\.path) == ["cluster", "timers.interval", "timers.dead_after", "groups[0].priority"])
        #expect(found.map(\.line) == [1, 6, 6, 12])
    }

    @Test func yamlSyntaxErrorNamesTheLine() {
        let yaml = full(line: 9, "    addresses: [198.18.0.100/32, 2001:2::100")
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.line == 10)
        #expect(found.first?.message.contains("YAML syntax error") == true)
        #expect(found.first?.description.hasPrefix("web.yaml:10: YAML syntax error") == true)
    }

    @Test func duplicateYAMLKeyNamesTheLine() {
        let found = problems(fullConfig + "\ncluster: web\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("duplicate key `cluster`") == true)
        #expect(found.first?.line != nil)
    }

    @Test func emptyFile() {
        let found = problems("# nothing here\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("the file is empty") == true)
    }

    @Test func notAMapping() {
        let found = problems("- a\n- b\n")
        #expect(found.first?.line == 1)
        #expect(found.first?.message.contains("must be a mapping") == true)
    }

    @Test func problemDescriptions() {
        #expect(ConfigProblem(file: "web.yaml", line: 6, path: "timers.interval", message: "bad").description
            == "web.yaml:6: timers.interval: bad")
        #expect(ConfigProblem(file: "web.yaml", line: nil, path: "secret_file", message: "bad").description
            == "web.yaml: secret_file: bad")
        let errors = ConfigErrors(problems: [
            ConfigProblem(file: "a", line: 1, path: "x", message: "one"),
            ConfigProblem(file: "a", line: 2, path: "y", message: "two"),
        ])
        #expect(errors.description == "a:1: x: one\na:2: y: two")
    }

    @Test func didYouMeanOnlyWhenClose() {
        #expect(didYouMean("intervall", among: ["interval", "timeout"]) == " (did you mean `interval`?)")
        #expect(didYouMean("zzz", among: ["interval", "timeout"]) == "")
        #expect(editDistance("kitten", "sitting") == 3)
    }
}

@Suite struct ConfigHeartbeatSizeTests {
    /// `count` groups with 60-byte names: each costs up to 12 + 60 + 1 + 4 bytes in a heartbeat.
    func config(groups count: Int) -> String {
        let groups = (0..<count).map { index in
            let name = "g\(index)" + String(repeating: "x", count: 58 - String(index).count)
            return "  - { name: \(name), addresses: [198.18.1.\(index + 1)], interface: eth0, priority: 100 }"
        }
        return """
            cluster: web
            node: { name: web1, address: 198.18.0.1 }
            peers: [{ name: web2, address: 198.18.0.2 }]
            secret_file: /etc/floatip/secret
            groups:
            \(groups.joined(separator: "\n"))
            """
    }

    @Test func heartbeatMustFitOneDatagram() {
        #expect(problems(config(groups: 10)).isEmpty)
        let found = problems(config(groups: 20))
        #expect(found.count == 1)
        #expect(found.first?.path == "groups")
        #expect(found.first?.line == 6)  // where the list of groups starts
        #expect(found.first?.message.contains("over the limit of 1400") == true)
    }
}
