import FloatIPCore
import Foundation
import Testing

@testable import FloatIPAgent

/// How tracking (`track:`) shows: the status JSON, `/metrics`, the status page and the verdict's log line.
@Suite struct TrackingStatusTests {
    static let status: AgentStatus = {
        var status = StatusPageTests.hostile
        status.tracking = AgentStatus.Tracking(verdict: "unreachable", targets: [
            .init(target: "198.18.0.254", kind: "ping", reachable: false, detail: "no reply from 198.18.0.254 within 40 ms",
                  lastCheckedMs: 20),
            .init(target: "witness 198.18.0.9:7455", kind: "witness", reachable: nil, detail: "", lastCheckedMs: nil),
        ])
        return status
    }()

    @Test func metricsCarryTheVerdictAndEachTarget() {
        let text = MetricsExposition.render(Self.status, AgentMetrics().snapshot())
        for series in [
            "# TYPE floatip_track_reachable gauge", "floatip_track_reachable 0",
            #"floatip_track_target_up{kind="ping",target="198.18.0.254"} 0"#,
            #"floatip_track_target_up{kind="witness",target="witness 198.18.0.9:7455"} 0"#,
        ] {
            #expect(text.contains(series), "\(series)\n\(text)")
        }
        var reachable = Self.status
        reachable.tracking?.verdict = "reachable"
        reachable.tracking?.targets[0].reachable = true
        let up = MetricsExposition.render(reachable, AgentMetrics().snapshot())
        #expect(up.contains("floatip_track_reachable 1\n"))
        #expect(up.contains(#"floatip_track_target_up{kind="ping",target="198.18.0.254"} 1"#))
        #expect(!MetricsExposition.render(StatusPageTests.hostile, AgentMetrics().snapshot()).contains("floatip_track_"),
                "nothing without track:")
    }

    @Test func theStatusJSONRoundTripsAndOlderSnapshotsDecodeWithoutIt() throws {
        let data = try JSONEncoder().encode(Self.status)
        #expect(try JSONDecoder().decode(AgentStatus.self, from: data) == Self.status)
        let old = try JSONEncoder().encode(StatusPageTests.hostile)
        #expect(!String(decoding: old, as: UTF8.self).contains("tracking"))
        #expect(try JSONDecoder().decode(AgentStatus.self, from: old).tracking == nil)
    }

    @Test func theStatusPageShowsTheVerdictAndTargets() {
        let html = StatusPage.render(Self.status)
        #expect(html.contains("<h2>Tracking: unreachable</h2>"), "\(html)")
        #expect(html.contains(#"<td>198.18.0.254</td><td>ping</td><td><span class="role failing">failing</span></td>"#), "\(html)")
        #expect(html.contains(#"<td>witness 198.18.0.9:7455</td><td>witness</td><td><span class="role unknown">unknown</span></td>"#))
    }

    @Test func theVerdictLine() {
        let track = TrackConfig(targets: [.ping(.ipv4(198, 18, 0, 254))])
        #expect(TrackVerdictLine.line(track, check: "track", from: .passing, to: .failing, detail: "no reply")
            == "tracking: reachable → unreachable: no tracked address answers; every group goes to fault: this node "
                + "releases what it holds and does not claim (no reply)")
        #expect(TrackVerdictLine.line(track, check: "track", from: .failing, to: .passing, detail: "reply")
            == "tracking: unreachable → reachable: a tracked address answers; the groups may be held again (reply)")
        #expect(TrackVerdictLine.line(track, check: "nginx", from: .passing, to: .failing, detail: "") == nil)
        #expect(TrackVerdictLine.line(nil, check: "track", from: .passing, to: .failing, detail: "") == nil)
    }
}
