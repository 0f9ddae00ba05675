import Testing
@testable import FloatIPCore

/// A two-node config with `track:`. Line numbers matter: the invalid cases replace one line.
private let trackConfig = """
    cluster: web
    node: { name: web1, address: 198.18.0.1 }
    peers: [{ name: web2, address: 198.18.0.2 }]
    secret_file: /etc/floatip/secret
    track:
      targets: [198.18.0.254, "witness 198.18.0.9", "witness 198.18.0.10:7000", "witness [2001:2::9]:7455"]
      interval: 40ms
      timeout: 30ms
      rise: 2
      fall: 4
    groups:
      - name: web
        addresses: [198.18.0.100]
        interface: eth0
        priority: 200
        checks: [nginx]
    checks:
      - { name: nginx, kind: file, target: /run/nginx.up }
    """

private func replacing(line number: Int, with text: String) -> String { trackConfig.replacingLine(number, with: text) }

@Suite struct TrackConfigTests {
    @Test func readsEveryField() throws {
        let config = try ConfigParser.parse(yaml: trackConfig, file: "web.yaml").get()
        let track = try #require(config.track)
        let v6 = try #require(IPAddress("2001:2::9"))
        #expect(track == TrackConfig(
            targets: [
                .ping(.ipv4(198, 18, 0, 254)), .witness(.ipv4(198, 18, 0, 9), port: 7455),
                .witness(.ipv4(198, 18, 0, 10), port: 7000), .witness(v6, port: 7455),
            ],
            interval: .milliseconds(40), timeout: .milliseconds(30), rise: 2, fall: 4))
        #expect(track.targets.map(\.description)
            == ["198.18.0.254", "witness 198.18.0.9:7455", "witness 198.18.0.10:7000", "witness [2001:2::9]:7455"])
        #expect(track.releaseBound == .milliseconds(190))
        #expect(config.summary.hasSuffix("; tracking 4 targets, a cut-off node releases within 190 ms"), "\(config.summary)")
    }

    @Test func defaultsAndAbsence() throws {
        let minimal = trackConfig.replacingLine(7, with: "").replacingLine(8, with: "").replacingLine(9, with: "")
            .replacingLine(10, with: "")
        let track = try #require(try ConfigParser.parse(yaml: minimal, file: "web.yaml").get().track)
        #expect(track.interval == .milliseconds(50) && track.timeout == .milliseconds(40))
        #expect(track.rise == 3 && track.fall == 3)
        #expect(track.releaseBound == .milliseconds(190), "below the default dead interval of 300 ms")
        let lines = trackConfig.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let without = (lines[0..<4] + lines[10...]).joined(separator: "\n")
        let config = try ConfigParser.parse(yaml: without, file: "web.yaml").get()
        #expect(config.track == nil)
        #expect(config.runnableChecks.map(\.name) == ["nginx", "link eth0"])
    }

    /// Tracking runs as one required check, `track`, that every group uses whatever its `checks:` says.
    @Test func tracksAsARequiredCheckOfEveryGroup() throws {
        let config = try ConfigParser.parse(yaml: trackConfig, file: "web.yaml").get()
        #expect(config.runnableChecks.map(\.name) == ["nginx", "link eth0", "track"])
        let track = try #require(config.runnableChecks.last)
        #expect(track.kind == .track && track.effect == .required && track.rise == 2 && track.fall == 4)
        let group = try #require(config.groups.first)
        let nginx = CheckState(config: config.checks[0], state: .passing)
        func condition(_ state: Hysteresis.State, detail: String = "") -> LocalCondition {
            HealthSummary.condition(
                for: group, checks: [nginx, CheckState(config: track, state: state, detail: detail)], maintenance: false)
        }
        #expect(condition(.passing).healthy)
        let cut = condition(.failing, detail: "no reply from 198.18.0.254 within 30ms")
        #expect(!cut.healthy)
        #expect(cut.faultReason == "tracking: no tracked address reachable (last round: no reply from 198.18.0.254 within 30ms)")
        #expect(condition(.unknown).faultReason == "tracking: no tracked address has answered yet")
    }

    @Test(arguments: [
        (9, "  riise: 2", "track.riise",
         "unknown key (did you mean `rise`?); allowed here: targets, interval, timeout, rise, fall"),
        (6, "  targets: []", "track.targets", "needs at least one target, e.g. `[198.18.0.254]` (the gateway)"),
        (6, "  targets: 198.18.0.254", "track.targets",
         "must be a list of reference addresses (`198.18.0.254`, or `witness 198.18.0.9` for a `floatip witness`); "
            + "found `198.18.0.254`"),
        (6, "  targets: [gateway]", "track.targets[0]",
         "`gateway` is not a track target; write an IP address to ping (`198.18.0.254`) or `witness ADDRESS[:PORT]` "
            + "for a `floatip witness` (`witness 198.18.0.9`, `witness [2001:2::9]:7455`; port 7455 by default)"),
        (6, "  targets: [\"witness 198.18.0.9:0\"]", "track.targets[0]",
         "`witness 198.18.0.9:0` is not a track target; write an IP address to ping (`198.18.0.254`) or "
            + "`witness ADDRESS[:PORT]` for a `floatip witness` (`witness 198.18.0.9`, `witness [2001:2::9]:7455`; "
            + "port 7455 by default)"),
        (6, "  targets: [198.18.0.2]", "track.targets[0]",
         "198.18.0.2 is peer web2's address; tracking a peer cannot tell which side of a cut between the two is "
            + "cut off: track the gateway or a witness"),
        (6, "  targets: [198.18.0.1]", "track.targets[0]",
         "198.18.0.1 is this node's own address (node.address); a track target must be another machine: the "
            + "gateway or a witness"),
        (6, "  targets: [198.18.0.254, 198.18.0.254]", "track.targets[1]",
         "`198.18.0.254` is also track.targets[0]; list each target once"),
        (7, "  interval: 5ms", "track.interval", "5ms is out of range; allowed: from 10ms to 10s"),
        (7, "  interval: 50", "track.interval",
         "`50` has no unit; units are required: write e.g. `50ms` or `50s` (units: ns, us, ms, s, m, h)"),
        (8, "  timeout: 40ms", "track.timeout", "timeout 40ms must be shorter than track.interval 40ms"),
        (9, "  rise: 0", "track.rise", "0 is out of range; allowed: from 1 to 100 rounds in a row"),
        (10, "  fall: 7", "track.fall",
         "fall × interval + timeout = 7 × 40ms + 30ms = 310ms must be shorter than the dead interval "
            + "(interval × dead_after = 300ms): a node cut off from every target must release before its peer "
            + "stops hearing it and claims"),
    ])
    func rejectsBadInput(line: Int, text: String, path: String, message: String) {
        let found = problems(replacing(line: line, with: text))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == line, "\(found)")
        #expect(found.first?.path == path, "\(found)")
        #expect(found.first?.message == message, "\(found)")
    }

    @Test func trackMustBeAMappingWithTargets() {
        let lines = trackConfig.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let scalar = (lines[0..<4] + ["track: 198.18.0.254"] + lines[10...]).joined(separator: "\n")
        #expect(problems(scalar).map(\.description) == [
            "web.yaml:5: track: must be a mapping of `targets`, `interval`, `timeout`, `rise`, `fall`; found `198.18.0.254`",
        ])
        let noTargets = (lines[0..<4] + ["track: { interval: 40ms }"] + lines[10...]).joined(separator: "\n")
        #expect(problems(noTargets).map(\.description) == ["web.yaml:5: track.targets: missing required field `targets`"])
    }

    @Test func aConfiguredCheckCannotTakeTrackingsNameOrKind() {
        let named = problems(replacing(line: 18, with: "  - { name: track, kind: file, target: /run/nginx.up }")
            .replacingLine(16, with: "    checks: [track]"))
        #expect(named.contains {
            $0.description == "web.yaml:18: checks[0].name: `track` is the name of the check that `track:` adds to "
                + "every group; give this check another name"
        }, "\(named)")
        let kind = problems(replacing(line: 18, with: "  - { name: nginx, kind: track, target: /run/nginx.up }"))
        #expect(kind.map(\.description) == [
            "web.yaml:18: checks[0].kind: `track` is not a check kind; tracking is configured with the top-level "
                + "`track:` (docs/config.md, \"track\")",
        ])
    }
}
