import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The real `floatip agent` on two servers in namespaces, their group moved by `mover: script` with
/// the `ip` example of docs/movers.md (taken from the file): killing the holder's agent moves the
/// address to the standby's interface through its script; a clean stop runs `release`.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct ScriptMoverLabTests {
    @Test func killingTheHolderMovesTheAddressThroughTheScript() async throws {
        let directory = try ScratchDirectory("fip-script-lab")
        defer { directory.remove() }
        let script = directory.file("floatip-ip")
        try DocsExample.writeScript(from: "docs/movers.md", containing: "# /usr/local/sbin/floatip-ip:", to: script)
        let lab = try AgentLab(nodes: 2, mover: { _ in
            "{ kind: script, claim: \(script), release: \(script), holder: \(script), timeout: 5s, "
                + "reconcile_interval: 300ms }\n    interface: eth0"
        })
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(10)) { try lab.holders() == [1] } != nil, "\(lab.log(1))\n\(lab.log(2))")
        #expect(lab.log(1).contains("script claim (term"), "\(lab.log(1))")

        lab.signal(1, SIGKILL)
        _ = try await lab.waitForExit(1)
        let failover = try await lab.wait(.seconds(5)) { try lab.holds(2) }
        #expect(failover != nil, "\(lab.log(2))")
        print("script mover: holder's agent killed → address on the standby in \(failover.map { "\($0)" } ?? "never")")
        // The script sets no lifetime: the killed agent's address stays on web1 (docs/movers.md says so).
        #expect(try lab.holds(1))

        // The status shows the script's last call and the holder its `holder` command reported.
        var mover: [String: Any]?
        for _ in 0..<30 {
            let status = try await lab.floatip(2, ["status", "-c", lab.config(2), "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            mover = (object?["groups"] as? [[String: Any]])?.first?["mover"] as? [String: Any]
            if mover?["providerHolder"] as? String == "web2" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(mover?["kind"] as? String == "script" && mover?["providerHolder"] as? String == "web2", "\(String(describing: mover))")
        #expect((mover?["lastCall"] as? String)?.hasPrefix("holder ") == true || (mover?["lastCall"] as? String)?.hasPrefix("claim ") == true)

        // A clean stop runs `release`: the address leaves web2's interface.
        lab.signal(2, SIGTERM)
        #expect(try await lab.waitForExit(2) == 0)
        #expect(try !lab.holds(2), "\(lab.log(2))")
        #expect(lab.log(2).contains("script release (term"), "\(lab.log(2))")
    }
}
