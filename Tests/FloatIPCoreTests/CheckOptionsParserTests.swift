import Testing

@testable import FloatIPCore

/// A config whose `checks:` list starts at line 7 with `checks`.
private func config(checks: String) -> String {
    """
    cluster: web
    node: { name: web1, address: 198.18.0.1 }
    secret_file: /etc/floatip/secret
    groups:
      - { name: web, addresses: [198.18.0.100], interface: eth0, priority: 200 }
    checks:
    \(checks)
    """
}

private func parse(checks: String) -> Result<ClusterConfig, ConfigErrors> {
    ConfigParser.parse(yaml: config(checks: checks), file: "web.yaml")
}

/// One check written on line 7 (and maybe more lines), and the problem expected.
struct CheckOptionCase: CustomTestStringConvertible, Sendable {
    var checks: String
    var path: String
    var line: Int
    var fragment: String

    init(_ checks: String, _ path: String, _ line: Int, _ fragment: String) {
        self.checks = checks
        self.path = path
        self.line = line
        self.fragment = fragment
    }

    /// The problem is on line 7, the check's first.
    init(_ checks: String, _ path: String, _ fragment: String) {
        self.init(checks, path, 7, fragment)
    }

    var testDescription: String { "\(path): \(fragment)" }
}

@Suite struct CheckOptionsParserTests {
    @Test func everyKindReadsItsOptions() throws {
        let checks = """
              - { name: gw, kind: ping, target: 198.18.0.254, max_rtt: 50ms }
              - { name: redis, kind: tcp, target: "127.0.0.1:6379", send: "PING\\r\\n", expect: "+PONG" }
              - name: web
                kind: http
                target: "https://127.0.0.1/health"
                method: head
                expect_status: [200, "300-302"]
                tls_verify: false
              - { name: page, kind: http, target: "http://127.0.0.1/", body_contains: ok, body_regex: "^up( [0-9]+)?$" }
              - { name: load, kind: command, target: /usr/bin/test, arguments: [-e, 5, /tmp] }
              - { name: sh, kind: command, target: "test -e /tmp && true", shell: true }
              - { name: nginx, kind: process, target: nginx }
              - { name: pid, kind: process, target: /run/nginx.pid }
              - { name: own, kind: process, target: /run/nginx.pid, user: www-data }
              - { name: uid, kind: process, target: nginx, user: 33 }
              - { name: unit, kind: systemd, target: nginx.service }
              - { name: maint, kind: file, target: /etc/floatip/maintenance, expect: absent }
              - { name: errors, kind: log, target: /var/log/app.log, pattern: "ERROR|FATAL", threshold: 5, window: 30s }
              - { name: ngxlog, kind: log, target: /var/log/nginx/error.log, pattern: emerg, owner: www-data }
              - { name: eth, kind: interface, target: eth0 }
            """
        let parsed = try parse(checks: checks).get().checks
        let options = Dictionary(uniqueKeysWithValues: parsed.map { ($0.name, $0.options) })
        #expect(options["gw"] == .ping(PingCheckOptions(maxRTT: .milliseconds(50))))
        #expect(options["redis"] == .tcp(TCPCheckOptions(send: "PING\r\n", expect: "+PONG")))
        #expect(options["web"] == .http(HTTPCheckOptions(method: .head, expectStatus: [200...200, 300...302],
                                                         tlsVerify: false)))
        #expect(options["page"] == .http(HTTPCheckOptions(bodyContains: "ok", bodyRegex: "^up( [0-9]+)?$")))
        #expect(options["load"] == .command(CommandCheckOptions(arguments: ["-e", "5", "/tmp"])))
        #expect(options["sh"] == .command(CommandCheckOptions(shell: true)))
        #expect(options["nginx"] == .process(ProcessCheckOptions()))
        #expect(options["pid"] == .process(ProcessCheckOptions(user: nil)))
        #expect(options["own"] == .process(ProcessCheckOptions(user: .name("www-data"))))
        #expect(options["uid"] == .process(ProcessCheckOptions(user: .uid(33))))
        #expect(options["unit"] == .systemd)
        #expect(options["maint"] == .file(FileCheckOptions(expect: .absent)))
        #expect(options["errors"] == .log(LogCheckOptions(pattern: "ERROR|FATAL", threshold: 5, window: .seconds(30))))
        #expect(options["ngxlog"] == .log(LogCheckOptions(pattern: "emerg", owner: .name("www-data"))))
        #expect(options["eth"] == .interface)
    }

    @Test func defaultsWhenNoOptionIsWritten() throws {
        let checks = """
              - { name: gw, kind: ping, target: "2001:2::1" }
              - { name: web, kind: http, target: "http://[::1]:8080/" }
              - { name: maint, kind: file, target: /etc/floatip/maintenance }
              - { name: log, kind: log, target: /var/log/app.log, pattern: panic }
            """
        let parsed = try parse(checks: checks).get().checks
        #expect(parsed[0].options == .ping(PingCheckOptions(maxRTT: nil)))
        #expect(parsed[1].options == .http(HTTPCheckOptions(method: .get, expectStatus: [200...399], tlsVerify: true)))
        #expect(parsed[2].options == .file(FileCheckOptions(expect: .exists)))
        #expect(parsed[3].options == .log(LogCheckOptions(pattern: "panic", threshold: 0, window: .seconds(60))))
    }

    static let invalidCases: [CheckOptionCase] = [
        // Keys of another kind.
        CheckOptionCase("  - { name: c, kind: tcp, target: \"127.0.0.1:80\", expect_status: 200 }",
                        "checks[0].expect_status",
                        "`expect_status` is not an option of a `tcp` check (it belongs to `http` checks); "
                            + "a `tcp` check's options are send, expect"),
        CheckOptionCase("  - { name: c, kind: systemd, target: nginx.service, pattern: x }", "checks[0].pattern",
                        "a `systemd` check takes no options besides name, kind, target"),
        CheckOptionCase("  - { name: c, kind: process, target: nginx, pattern: x }", "checks[0].pattern",
                        "a `process` check's options are user"),
        CheckOptionCase("  - { name: c, kind: file, target: /x, user: root }", "checks[0].user",
                        "`user` is not an option of a `file` check (it belongs to `process` checks)"),
        CheckOptionCase("  - { name: c, kind: file, target: /x, max_rt: 1s }", "checks[0].max_rt",
                        "unknown key; allowed here: name, kind, target, interval, timeout, rise, fall, required, "
                            + "weight, expect"),
        CheckOptionCase("  - { name: c, kind: ping, target: 198.18.0.1, max_rt: 1s }", "checks[0].max_rt",
                        "unknown key (did you mean `max_rtt`?)"),
        // Values.
        CheckOptionCase("  - { name: c, kind: ping, target: 198.18.0.1, max_rtt: 500ms }", "checks[0].max_rtt",
                        "max_rtt 500ms must be shorter than the check's timeout 500ms"),
        CheckOptionCase("  - { name: c, kind: ping, target: 198.18.0.1, max_rtt: 5 }", "checks[0].max_rtt",
                        "has no unit"),
        CheckOptionCase("  - { name: c, kind: tcp, target: \"127.0.0.1:80\", send: \"\" }", "checks[0].send",
                        "must not be empty"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", method: POST }", "checks[0].method",
                        "`POST` is not allowed here; allowed: GET, HEAD"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", expect_status: [200, 2xx] }",
                        "checks[0].expect_status[1]", "`2xx` is not a status code or range"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", expect_status: \"299-200\" }",
                        "checks[0].expect_status", "not a status code or range"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", expect_status: 700 }",
                        "checks[0].expect_status", "from 100 to 599"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", body_regex: \"up(\" }",
                        "checks[0].body_regex", "`up(` is not a regular expression that compiles"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", method: HEAD, body_contains: ok }",
                        "checks[0].body_contains", "a HEAD request gets no body"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://x/\", tls_verify: false }",
                        "checks[0].tls_verify", "applies to https:// URLs only"),
        CheckOptionCase("  - { name: c, kind: http, target: \"https://x/\", tls_verify: no_way }",
                        "checks[0].tls_verify", "must be `true` or `false`"),
        CheckOptionCase("  - { name: c, kind: command, target: /bin/true, arguments: -v }", "checks[0].arguments",
                        "must be a list of arguments"),
        CheckOptionCase("  - { name: c, kind: command, target: \"true\", shell: true, arguments: [x] }",
                        "checks[0].arguments", "with `shell: true` the target is the whole command line"),
        CheckOptionCase("  - { name: c, kind: command, target: check-load }", "checks[0].target",
                        "must be an absolute path to a program (starting with `/`); to run a shell command line"),
        CheckOptionCase("  - { name: c, kind: file, target: /x, expect: present }", "checks[0].expect",
                        "`present` is not allowed here; allowed: exists, absent"),
        CheckOptionCase("  - { name: c, kind: log, target: /var/log/x }", "checks[0].pattern",
                        "missing required field `pattern`"),
        CheckOptionCase("  - name: c\n    kind: log\n    target: /var/log/x\n    pattern: \"[a-\"", "checks[0].pattern",
                        10, "`[a-` is not a regular expression that compiles"),
        CheckOptionCase("  - { name: c, kind: log, target: /var/log/x, pattern: x, threshold: -1 }",
                        "checks[0].threshold", "allowed: matching lines from 0 to 1000000"),
        CheckOptionCase("  - { name: c, kind: log, target: /var/log/x, pattern: x, window: 10ms }",
                        "checks[0].window", "allowed: from 1s to 24h"),
        CheckOptionCase("  - { name: c, kind: process, target: nginx, user: \"www data\" }", "checks[0].user",
                        "`www data` is not a user; write a user name such as `www-data`"),
        CheckOptionCase("  - { name: c, kind: process, target: nginx, user: -1 }", "checks[0].user",
                        "`-1` is not a user"),
        CheckOptionCase("  - { name: c, kind: process, target: nginx, user: 4294967295 }", "checks[0].user",
                        "`4294967295` is not a user; write a user name such as `www-data` (1 to 32 letters"),
        CheckOptionCase("  - { name: c, kind: process, target: nginx, user: [root] }", "checks[0].user",
                        "must be text"),
        CheckOptionCase("  - { name: c, kind: log, target: /var/log/x, pattern: x, owner: \"\" }", "checks[0].owner",
                        "`` is not a user"),
        CheckOptionCase("  - { name: c, kind: log, target: /var/log/x, pattern: x, owner: \"adm;rm\" }",
                        "checks[0].owner", "`adm;rm` is not a user"),
        // Targets.
        CheckOptionCase("  - { name: c, kind: process, target: run/nginx.pid }", "checks[0].target",
                        "not a process check target"),
        CheckOptionCase("  - { name: c, kind: systemd, target: \"nginx service\" }", "checks[0].target",
                        "not a systemd unit name"),
        CheckOptionCase("  - { name: c, kind: file, target: maintenance }", "checks[0].target",
                        "must be an absolute path"),
        CheckOptionCase("  - { name: c, kind: log, target: app.log, pattern: x }", "checks[0].target",
                        "must be an absolute path"),
        CheckOptionCase("  - { name: c, kind: interface, target: averyveryverylongname0 }", "checks[0].target",
                        "not an interface name"),
        CheckOptionCase("  - { name: c, kind: interface, target: \"eth0:1\" }", "checks[0].target",
                        "not an interface name"),
        CheckOptionCase("  - { name: c, kind: tcp, target: \"localhost:80\" }", "checks[0].target",
                        "not a tcp check target"),
        CheckOptionCase("  - { name: c, kind: http, target: \"http://\" }", "checks[0].target",
                        "not an http check target"),
    ]

    @Test(arguments: invalidCases)
    func invalidOption(_ invalid: CheckOptionCase) {
        guard case .failure(let errors) = parse(checks: invalid.checks) else {
            Issue.record("parsed without a problem")
            return
        }
        let match = errors.problems.first { $0.path == invalid.path && $0.line == invalid.line }
        #expect(match != nil, "no problem at \(invalid.path) line \(invalid.line); found:\n\(errors)")
        if let match { #expect(match.message.contains(invalid.fragment), "\(match.message)") }
    }

    @Test func fieldLinesNameEveryPath() {
        let lines = ConfigParser.fieldLines(yaml: config(checks: "  - { name: c, kind: command, target: /bin/true }"))
        #expect(lines["checks[0].target"] == 7)
        #expect(lines["groups[0].priority"] == 5)
        #expect(lines["secret_file"] == 3)
        #expect(ConfigParser.fieldLines(yaml: "a: [").isEmpty)
    }
}
