import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

@testable import FloatIPAgent

/// The status page in a real browser: Debian's Chromium, headless, against the API of a live
/// agent listening on 127.0.0.1. Asserts on the DOM the browser built and takes a screenshot.
///
/// `FLOATIP_STATUS_SCREENSHOT=docs/status-page.png` keeps the screenshot there (scripts/status-page-screenshot).
@Suite(.serialized) struct StatusPageBrowserTests {
    /// Two agents where web1 has been holder, went into maintenance and came back (a timeline worth showing),
    /// with checks whose details need escaping.
    static func liveAgents() async throws -> APITests.Fixture {
        let fixture = try APITests.Fixture()
        try await fixture.start()
        let web1 = fixture.pair.web1
        await web1.setCheckStates {
            [
                CheckState(
                    config: CheckConfig(name: "nginx", kind: .http, target: "http://127.0.0.1/health"), state: .passing,
                    detail: "HTTP 200 from http://127.0.0.1/health in 2 ms"),
                CheckState(
                    config: CheckConfig(name: "errors", kind: .log, target: "/var/log/app.log", effect: .weight(-50)),
                    state: .failing, detail: "7 lines matching <ERROR> in 60 s (threshold 5)"),
            ]
        }
        await web1.setMaintenance(true)
        try #require(await AgentCoreTests().waitForHolders(fixture.pair.world, ["web2"]) != nil)
        await web1.setMaintenance(false)
        try #require(await AgentCoreTests().waitForHolders(fixture.pair.world, ["web1"]) != nil)
        return fixture
    }

    @Test func chromiumRendersTheStatusPage() async throws {
        guard let chromium = ExternalTool.find("chromium", for: "the status page browser test", package: "chromium") else { return }
        let fixture = try await Self.liveAgents()
        let server = APIServer(listen: "127.0.0.1:0")
        let port = try await server.start { running in
            makeAPIApplication(agent: fixture.pair.web1, api: APIConfig(listenPort: 0), token: nil, onServerRunning: running)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("floatip-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "http://127.0.0.1:\(port)/"
        let screenshot = directory.appendingPathComponent("status-page.png")
        func browser(_ arguments: [String]) async throws -> ExternalTool.Run {
            let base = [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--hide-scrollbars",
            ]
            let command = base + arguments + [url]
            return try await offPool { try ExternalTool.run(command, environment: ["HOME": directory.path], limit: .seconds(90)) }
        }
        let dom = try await browser(["--dump-dom"])
        let shot = try await browser(["--screenshot=\(screenshot.path)", "--window-size=1100,1000"])
        await server.stop()
        await fixture.stop()

        #expect(dom.status == 0, "\(dom.stderr)")
        let html = dom.stdout
        // What a person sees: the node, its groups with role and holder, the peer, the checks, the timeline.
        #expect(html.contains("<h1>floatip web1 (web)</h1>"), "\(html)")
        #expect(html.contains(#"<td>web</td><td><span class="role holder">holder</span></td><td>web1</td>"#), "\(html)")
        #expect(html.contains(#"<td>web2</td><td>198.18.0.2</td><td><span class="role alive">alive</span>"#), "\(html)")
        #expect(html.contains("HTTP 200 from http://127.0.0.1/health in 2 ms"))
        #expect(html.contains(#"<span class="role maintenance">maintenance</span>"#), "the timeline shows the maintenance: \(html)")
        // The browser parsed the escaped detail as text: no <error> element appeared.
        #expect(html.contains("7 lines matching &lt;ERROR&gt; in 60 s"), "\(html)")
        #expect(!html.lowercased().contains("<error>"))
        #expect(html.contains("floatip \(BuildInfo.version) (commit"))

        #expect(shot.status == 0, "\(shot.stderr)")
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 10_000, "a real page, not a blank one: \(png.count) bytes")
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        if let keep = ProcessInfo.processInfo.environment["FLOATIP_STATUS_SCREENSHOT"], !keep.isEmpty {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: screenshot, to: URL(fileURLWithPath: keep))
            print("status page screenshot saved to \(keep)")
        }
    }
}
