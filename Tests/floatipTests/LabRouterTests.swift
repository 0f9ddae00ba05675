import FloatIPLab
import FloatIPTestSupport
import Foundation
import Testing

/// `floatip lab up --router bird`: BIRD between the nodes and the client, the group on the bgp
/// mover; the client reaches the floating address through the holder's announcement alone.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && BIRDRouter.available(for: "lab up --router bird"), .namespaces))
struct LabRouterTests {
    static func birdc(_ layout: LabLayout, _ words: String...) throws -> String {
        try LabShell.ip(["netns", "exec", layout.switchNamespace, ExternalTool.path(of: "birdc") ?? "birdc", "-s", layout.routerSocket] + words)
    }

    @Test func theAnnouncementCarriesTheClientToTheHolderAndMovesWithIt() async throws {
        let layout = try LabLayout(name: LabTests.uniqueName())
        defer { _ = try? Lab.down(layout) }
        let up = try await LabTests.lab(["up", "--name", layout.name, "--router", "bird"])
        #expect(up.status == 0, "\(up.stdout)\n\(up.stderr)")
        #expect(up.stdout.contains("router: BIRD") && up.stdout.contains("ready: web1 holds 198.18.0.100"), "\(up.stdout)")
        #expect(up.stdout.contains("birdc -s \(layout.routerSocket) show route all"), "\(up.stdout)")
        let state = try #require(LabState.read(layout.stateFile))
        #expect(state.processes.map(\.role).sorted() == ["agent", "agent", "responder", "responder", "router"])
        let route = try Self.birdc(layout, "show", "route", "198.18.0.100/32", "all")
        #expect(route.contains("via 198.18.0.1") && route.contains("AS65001"), "\(route)")
        #expect(try LabShell.ip("-n", layout.namespace(node: 1), "addr", "show", "dev", "lo").contains("198.18.0.100/32"))
        // The client's only way to the floating address is the router's route.
        let routes = try LabShell.ip("-n", layout.clientNamespace, "route", "show")
        #expect(routes.contains("198.18.0.100 via 198.18.9.1") && !routes.contains("default"), "\(routes)")

        let maintenance = try LabShell.ip("netns", "exec", layout.namespace(node: 1), CLITests.floatipBinary().path,
                                          "maintenance", "on", "--config", layout.configFile(node: 1))
        #expect(maintenance.contains("maintenance on"), "\(maintenance)")
        var asked = ""
        for _ in 0..<100 {
            asked = (try? await LabTests.lab(["ask", "--name", layout.name]).stdout) ?? ""
            if asked == "web2\n" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(asked == "web2\n", "\((try? Self.birdc(layout, "show", "route", "all")) ?? "")")
        // web1's path drains (200 ms, GRACEFUL_SHUTDOWN), then goes.
        var moved = ""
        for _ in 0..<40 {
            moved = try Self.birdc(layout, "show", "route", "198.18.0.100/32", "all")
            if !moved.contains("via 198.18.0.1") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(moved.contains("via 198.18.0.2") && !moved.contains("via 198.18.0.1"), "\(moved)")

        let down = try await LabTests.lab(["down", "--name", layout.name])
        #expect(down.status == 0 && down.stdout.contains("5 processes ended"), "\(down.stdout)\(down.stderr)")
        #expect(try LabTests.leftovers(layout, pids: state.processes.map(\.pid)) == [])
    }

    @Test func routerAndKeepalivedTogetherAreRefused() async throws {
        let run = try await LabTests.lab(["up", "--name", LabTests.uniqueName(), "--router", "bird", "--keepalived", "1"])
        #expect(run.status == 64 && run.stderr.contains("--router and --keepalived"), "\(run.stderr)")
    }
}
