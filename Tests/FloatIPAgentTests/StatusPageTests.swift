import FloatIPCore
import Foundation
import HummingbirdTesting
import Testing

@testable import FloatIPAgent

/// `GET /`: the status page for people, served by the same application as the JSON API.
@Suite struct StatusPageTests {
    /// A snapshot with something hostile in every free-text field.
    static let hostile = AgentStatus(
        node: "web1", cluster: "lab<&>", maintenance: false,
        groups: [
            .init(
                name: "web", role: "holder", reason: "no holder; I rank first <b>among</b> the healthy nodes", holder: "web1",
                term: 3, priority: 240, maintenance: false, handoverTo: nil)
        ],
        peers: [.init(name: "web2", address: "198.18.0.2", state: "dead", lastHeardMs: 1500, timerMismatch: true)],
        checks: [
            .init(name: "nginx", kind: "http", state: "failing", required: true, detail: "HTTP 503: <script>alert('x')</script> & \"more\"")
        ],
        counters: .init(sent: 10, received: 7, rejected: ["bad_auth": 2], transitions: 2),
        transitions: [
            .init(group: "web", from: "starting", to: "standby", reason: "listened for the dead interval", atMs: 300),
            .init(group: "web", from: "standby", to: "holder", reason: "holder web2 silent for 300 ms", atMs: 4300),
        ],
        build: BuildInfo(version: "0.1.0", commit: "0123456789ab", date: "2025-01-02T03:04:05Z"), uptimeMs: 64300)

    @Test func everyFreeTextFieldIsEscaped() {
        let html = StatusPage.render(Self.hostile)
        #expect(!html.contains("<script>"), "the detail must not become markup")
        #expect(!html.contains("<b>among</b>"))
        #expect(html.contains("HTTP 503: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"))
        #expect(html.contains("<title>floatip web1 (lab&lt;&amp;&gt;)</title>"))
        #expect(html.contains("I rank first &lt;b&gt;among&lt;/b&gt; the healthy nodes"))
        #expect(StatusPage.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func showsGroupsPeersChecksTheTimelineNewestFirstAndTheBuild() throws {
        let html = StatusPage.render(Self.hostile)
        #expect(html.contains(#"<meta http-equiv="refresh" content="2">"#))
        #expect(html.contains(#"<td>web</td><td><span class="role holder">holder</span></td><td>web1</td><td>3</td>"#), "\(html)")
        #expect(html.contains(#"<td>web2</td><td>198.18.0.2</td><td><span class="role dead">dead</span> (timers differ)</td><td>1.5 s ago</td>"#))
        #expect(html.contains(#"<span class="role failing">failing</span></td><td>yes</td>"#))
        #expect(html.contains("floatip 0.1.0 (commit 0123456789ab, built 2025-01-02T03:04:05Z)"))
        #expect(html.contains("up 1 min"))
        let newer = try #require(html.range(of: "holder web2 silent for 300 ms"))
        let older = try #require(html.range(of: "listened for the dead interval"))
        #expect(newer.lowerBound < older.lowerBound, "newest first")
        #expect(html.contains("+4.3 s · 1 min ago"))
        #expect(html.contains("heartbeats 10 sent, 7 received; rejected: bad_auth 2; transitions 2"))
        #expect(!html.contains("<script"), "no JavaScript at all")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "no external assets")
    }

    @Test func emptySectionsSaySo() {
        var status = Self.hostile
        status.peers = []
        status.checks = []
        status.transitions = []
        let html = StatusPage.render(status)
        #expect(html.contains("no peers configured"))
        #expect(html.contains("no checks configured"))
        #expect(html.contains("no role changes yet"))
    }

    @Test func theAPIServesItAtTheRootFromTheLiveAgent() async throws {
        let fixture = try APITests.Fixture()
        try await fixture.start()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
                #expect(response.headers[.cacheControl] == "no-store")
                let html = String(buffer: response.body)
                #expect(html.hasPrefix("<!DOCTYPE html>"))
                #expect(html.contains("<h1>floatip web1 (web)</h1>"), "\(html)")
                #expect(html.contains(#"<td>web</td><td><span class="role holder">holder</span></td><td>web1</td>"#), "\(html)")
                #expect(html.contains(#"<td>web2</td>"#) && html.contains(#"<span class="role alive">alive</span>"#), "\(html)")
                #expect(html.contains(#"</span> → <span class="role holder">holder</span>"#), "the timeline: \(html)")
            }
        }
        await fixture.stop()
    }
}
