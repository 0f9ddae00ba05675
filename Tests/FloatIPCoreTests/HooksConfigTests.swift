import Testing
@testable import FloatIPCore

/// A config with top-level hooks (defaults) and two groups: `web` overrides some keys, `db` inherits all.
/// Line numbers matter: the invalid cases replace one line.
private let hooksConfig = """
    cluster: web
    node: { name: web1, address: 198.18.0.1 }
    secret_file: /etc/floatip/secret
    hooks:
      on_holder: [/usr/local/bin/became, holder]
      notify: /etc/keepalived/notify.sh
      webhook: "https://hooks.example.com/floatip"
      timeout: 2s
    groups:
      - name: web
        addresses: [198.18.0.100]
        interface: eth0
        priority: 200
        hooks:
          on_holder: /usr/local/bin/web-up
          on_fault: [/bin/sh, -c, "logger web fault"]
          timeout: 10s
      - name: db
        addresses: [198.18.0.101]
        interface: eth0
        priority: 100
    """

private func replacing(line number: Int, with text: String) -> String { hooksConfig.replacingLine(number, with: text) }

@Suite struct HooksConfigTests {
    @Test func groupKeysOverrideTheTopLevelOnesKeyByKey() throws {
        let config = try ConfigParser.parse(yaml: hooksConfig, file: "web.yaml").get()
        let web = try #require(config.groups.first { $0.name == "web" }).hooks
        #expect(web.onHolder == ["/usr/local/bin/web-up"])
        #expect(web.onFault == ["/bin/sh", "-c", "logger web fault"])
        #expect(web.onStandby == nil)
        #expect(web.onMaintenance == nil)
        #expect(web.notify == "/etc/keepalived/notify.sh")
        #expect(web.webhook == "https://hooks.example.com/floatip")
        #expect(web.timeout == .seconds(10))
        let db = try #require(config.groups.first { $0.name == "db" }).hooks
        #expect(db == HooksConfig(
            onHolder: ["/usr/local/bin/became", "holder"], notify: "/etc/keepalived/notify.sh",
            webhook: "https://hooks.example.com/floatip", timeout: .seconds(2)))
        #expect(db.command(for: .holder) == ["/usr/local/bin/became", "holder"])
        #expect(db.command(for: .starting) == nil)
    }

    @Test func noHooksByDefault() throws {
        let yaml = hooksConfig.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { !(3...7).contains($0.offset) && !(13...16).contains($0.offset) }.map { String($0.element) }
            .joined(separator: "\n")
        let config = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get()
        #expect(config.groups.allSatisfy { $0.hooks == HooksConfig.none && $0.hooks.isEmpty })
        #expect(HooksConfig.none.timeout == .seconds(5))
    }

    @Test func aGroupSwitchesInheritedHooksOff() throws {
        let yaml = replacing(line: 15, with: "      on_holder: []\n      notify: \"\"\n      webhook: \"\"")
        let config = try ConfigParser.parse(yaml: yaml, file: "web.yaml").get()
        let web = try #require(config.groups.first { $0.name == "web" }).hooks
        #expect(web.onHolder == nil)
        #expect(web.notify == nil)
        #expect(web.webhook == nil)
        #expect(web.onFault == ["/bin/sh", "-c", "logger web fault"])
    }

    @Test(arguments: [
        (5, "  on_holder: [usr/local/bin/became]", "hooks.on_holder[0]", "must be an absolute path"),
        (5, "  on_holder: \"/usr/local/bin/became holder\"", "hooks.on_holder", "run without a shell"),
        (5, "  on_holder: became", "hooks.on_holder", "must be an absolute path"),
        (5, "  on_holder: { program: /bin/true }", "hooks.on_holder", "must be a list"),
        (5, "  on_standby: [/bin/echo, [nested]]", "hooks.on_standby[1]", "must be text"),
        (5, "  on_master: [/bin/true]", "hooks.on_master", "unknown key"),
        (6, "  notify: notify.sh", "hooks.notify", "absolute path of a script"),
        (7, "  webhook: ftp://example.com/x", "hooks.webhook", "not an http or https URL"),
        (7, "  webhook: \"http://\"", "hooks.webhook", "not an http or https URL"),
        (7, "  webhook: \"https://example.com/a b\"", "hooks.webhook", "not an http or https URL"),
        (8, "  timeout: 50ms", "hooks.timeout", "out of range; allowed: from 100ms to 5m"),
        (8, "  timeout: 6m", "hooks.timeout", "out of range"),
        (8, "  timeout: 5", "hooks.timeout", "unit"),
        (16, "      on_fault: [relative, arg]", "groups[0].hooks.on_fault[0]", "must be an absolute path"),
        (17, "      timeout: 10m", "groups[0].hooks.timeout", "out of range"),
    ])
    func invalidHooks(line: Int, text: String, path: String, fragment: String) {
        let found = problems(replacing(line: line, with: text))
        let match = found.first { $0.path == path && $0.line == line }
        #expect(match != nil, "no problem at \(path) line \(line); found:\n\(found)")
        if let match { #expect(match.message.contains(fragment), "\(match.message)") }
    }

    @Test func hooksMustBeAMapping() {
        let yaml = hooksConfig.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { !(4...7).contains($0.offset) }
            .map { $0.offset == 3 ? "hooks: [/bin/true]" : String($0.element) }.joined(separator: "\n")
        let found = problems(yaml)
        #expect(found.contains { $0.path == "hooks" && $0.line == 4 && $0.message.contains("must be a mapping") })
    }

    @Test func webURLs() {
        #expect(ConfigReader.isWebURL("http://127.0.0.1:8080/events"))
        #expect(ConfigReader.isWebURL("https://[::1]:8443/x?y=1"))
        #expect(ConfigReader.isWebURL("HTTPS://user@example.com"))
        #expect(!ConfigReader.isWebURL("http:///path"))
        #expect(!ConfigReader.isWebURL("example.com"))
        #expect(!ConfigReader.isWebURL("http://exa\tmple.com"))
    }
}
