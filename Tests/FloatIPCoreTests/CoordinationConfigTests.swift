import Testing
@testable import FloatIPCore

/// A config with `coordination: etcd`. Line numbers matter: the invalid cases replace one line.
private let etcdConfig = """
    cluster: web
    node: { name: web1, address: 198.18.0.1 }
    secret_file: /etc/floatip/secret
    coordination:
      kind: etcd
      endpoints: [https://198.18.0.5:2379, "https://198.18.0.6:2379/"]
      ttl: 6s
      prefix: /ha
      user: floatip
      password_file: /etc/floatip/etcd-password
    groups:
      - name: web
        addresses: [198.18.0.100]
        interface: eth0
        priority: 200
    """

private func replacing(line number: Int, with text: String) -> String { etcdConfig.replacingLine(number, with: text) }

@Suite struct CoordinationConfigTests {
    @Test func readsEveryField() throws {
        let config = try ConfigParser.parse(yaml: etcdConfig, file: "web.yaml").get()
        let coordination = try #require(config.coordination)
        #expect(coordination == CoordinationConfig(
            kind: .etcd, endpoints: ["https://198.18.0.5:2379", "https://198.18.0.6:2379"], ttl: .seconds(6),
            prefix: "/ha", user: "floatip", passwordFile: "/etc/floatip/etcd-password"))
        #expect(coordination.key(cluster: config.cluster, group: "web") == "/ha/web/web")
        #expect(coordination.ttlSeconds == 6)
    }

    @Test func defaultsAndAbsence() throws {
        let lines = etcdConfig.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let minimal = (lines[0..<6] + lines[10...]).joined(separator: "\n")
        let coordination = try #require(try ConfigParser.parse(yaml: minimal, file: "web.yaml").get().coordination)
        #expect(coordination.ttl == .seconds(5))
        #expect(coordination.prefix == "/floatip")
        #expect(coordination.user == nil && coordination.passwordFile == nil && coordination.caFile == nil)
        let without = (lines[0..<3] + lines[10...]).joined(separator: "\n")
        #expect(try ConfigParser.parse(yaml: without, file: "web.yaml").get().coordination == nil)
    }

    @Test func tlsFilesNeedHTTPSEndpoints() throws {
        let https = replacing(line: 6, with: "  endpoints: [https://198.18.0.5:2379]\n  ca_file: /etc/floatip/ca.pem\n"
            + "  cert_file: /etc/floatip/node.pem\n  key_file: /etc/floatip/node.key")
        let coordination = try #require(try ConfigParser.parse(yaml: https, file: "web.yaml").get().coordination)
        #expect(coordination.caFile == "/etc/floatip/ca.pem" && coordination.keyFile == "/etc/floatip/node.key")
        let plain = replacing(line: 6, with: "  endpoints: [http://198.18.0.5:2379]\n  ca_file: /etc/floatip/ca.pem")
        let found = problems(plain)
        #expect(found.contains { $0.path == "coordination.ca_file" && $0.line == 7 && $0.message.contains("https") },
                "\(found)")
    }

    @Test(arguments: [
        (5, "  kind: etdc", "coordination.kind", "unknown coordination kind `etdc` (did you mean `etcd`?)"),
        (5, "  knd: etcd", "coordination.knd", "unknown key (did you mean `kind`?)"),
        (6, "  endpoints: [198.18.0.5:2379]", "coordination.endpoints[0]", "not an etcd client URL"),
        (6, "  endpoints: [\"http://198.18.0.5:2379/v3\"]", "coordination.endpoints[0]", "without a path"),
        (6, "  endpoints: [http://198.18.0.5:2379, http://198.18.0.5:2379]", "coordination.endpoints[1]",
         "list each member once"),
        (6, "  endpoints: []", "coordination.endpoints", "at least one"),
        (6, "  endpoints: http://198.18.0.5:2379", "coordination.endpoints", "must be a list"),
        (7, "  ttl: 2s", "coordination.ttl", "minimum is 3s"),
        (7, "  ttl: 10m", "coordination.ttl", "maximum is 5m"),
        (7, "  ttl: 3500ms", "coordination.ttl", "whole number of seconds"),
        (7, "  ttl: 5", "coordination.ttl", "unit"),
        (7, "  tll: 5s", "coordination.tll", "did you mean `ttl`?"),
        (8, "  prefix: floatip", "coordination.prefix", "must start with `/`"),
        (8, "  prefix: /floatip/", "coordination.prefix", "not end with `/`"),
        (9, "  usr: floatip", "coordination.usr", "did you mean `user`?"),
        (10, "  password_file: etcd-password", "coordination.password_file", "absolute path"),
    ])
    func invalidCoordination(line: Int, text: String, path: String, fragment: String) {
        let found = problems(replacing(line: line, with: text))
        let match = found.first { $0.path == path && $0.line == line }
        #expect(match != nil, "no problem at \(path) line \(line); found:\n\(found)")
        if let match { #expect(match.message.contains(fragment), "\(match.message)") }
    }

    @Test("a password over plain http to another machine is refused, unless allow_insecure_http says so")
    func passwordsNeedHTTPS() throws {
        let plain = replacing(line: 6, with: "  endpoints: [https://198.18.0.6:2379, http://198.18.0.5:2379]")
        let found = problems(plain)
        let match = found.first { $0.path == "coordination.endpoints" && $0.line == 6 }
        #expect(match?.message == "`http://198.18.0.5:2379` is plain http to another machine, which would send the etcd "
            + "user's password in clear; use https, or set `allow_insecure_http: true` to allow it (only on a network "
            + "you trust)", "\(found)")
        let allowed = replacing(line: 6, with: "  endpoints: [http://198.18.0.5:2379]\n  allow_insecure_http: true")
        #expect(try ConfigParser.parse(yaml: allowed, file: "web.yaml").get().coordination?.endpoints == ["http://198.18.0.5:2379"])
        let loopback = replacing(line: 6, with: "  endpoints: [http://127.0.0.1:2379, \"http://[::1]:2379\", http://localhost:2379]")
        #expect(problems(loopback).isEmpty, "\(problems(loopback))")
        // Without a user nothing secret goes over the wire.
        let anonymous = plain.replacingOccurrences(of: "  user: floatip\n  password_file: /etc/floatip/etcd-password\n", with: "")
        #expect(problems(anonymous).isEmpty, "\(problems(anonymous))")
        #expect(PlainHTTP.leavesTheMachine("http://user@127.0.0.9:80/x") == false)
        #expect(PlainHTTP.leavesTheMachine("http://198.18.0.5") && PlainHTTP.leavesTheMachine("HTTP://etcd.example:2379"))
        #expect(!PlainHTTP.leavesTheMachine("https://198.18.0.5:2379"))
    }

    @Test func userAndPasswordFileGoTogether() {
        let found = problems(replacing(line: 10, with: ""))
        #expect(found.contains { $0.path == "coordination.user" && $0.line == 9 && $0.message.contains("password_file") },
                "\(found)")
    }

    @Test func certAndKeyGoTogether() {
        let yaml = replacing(line: 6, with: "  endpoints: [https://198.18.0.5:2379]\n  cert_file: /etc/floatip/node.pem")
        let found = problems(yaml)
        #expect(found.contains { $0.path == "coordination.cert_file" && $0.message.contains("key_file") }, "\(found)")
    }

    @Test func kindIsRequiredAndTheSectionAMapping() {
        #expect(problems(replacing(line: 5, with: "")).contains {
            $0.path == "coordination.kind" && $0.message.contains("missing required field")
        })
        let lines = etcdConfig.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let list = (lines[0..<3] + ["coordination: [etcd]"] + lines[10...]).joined(separator: "\n")
        #expect(problems(list).contains { $0.path == "coordination" && $0.message.contains("must be a mapping") })
    }
}
