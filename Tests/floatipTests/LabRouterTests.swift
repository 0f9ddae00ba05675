import FloatIPLab
import FloatIPTestSupport
import Foundation
import Testing

/// `floatip lab up --router bird|frr`: BIRD or FRR between the nodes and the client, the group on
/// the bgp mover; the client reaches the floating address through the holder's announcement alone.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && BIRDRouter.available(for: "lab up --router bird")
    && FRRRouter.available(for: "lab up --router frr"), .namespaces))
struct LabRouterTests {
    /// The forwarding table's route to the floating address in the router's namespace (what BIRD's
    /// kernel protocol or zebra installed).
    static func route(_ layout: LabLayout) throws -> String {
        try LabShell.ip("-n", layout.switchNamespace, "route", "show", "198.18.0.100")
    }

    @Test(arguments: [LabRouter.bird, .frr])
    func theAnnouncementCarriesTheClientToTheHolderAndMovesWithIt(router: LabRouter) async throws {
        let layout = try LabLayout(name: LabTests.uniqueName())
        defer { _ = try? Lab.down(layout) }
        let up = try await LabTests.lab(["up", "--name", layout.name, "--router", router.rawValue])
        #expect(up.status == 0, "\(up.stdout)\n\(up.stderr)")
        #expect(up.stdout.contains(router == .bird ? "router: BIRD" : "router: FRR (zebra, bgpd, bfdd)"), "\(up.stdout)")
        #expect(up.stdout.contains("ready: web1 holds 198.18.0.100"), "\(up.stdout)")
        #expect(up.stdout.contains(router == .bird ? "birdc -s \(layout.routerSocket) show route all" : "vtysh --vty_socket \(layout.frrDirectory)"),
                "\(up.stdout)")
        let state = try #require(LabState.read(layout.stateFile))
        let routers = router == .bird ? ["router"] : ["router", "router", "router"]
        #expect(state.processes.map(\.role).sorted() == ["agent", "agent", "responder", "responder"] + routers)
        let route = try Self.route(layout)
        #expect(route.contains("via 198.18.0.1") && route.contains(router == .bird ? "proto bird" : "proto bgp"), "\(route)")
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
        #expect(asked == "web2\n", "\((try? Self.route(layout)) ?? "")")
        let moved = try Self.route(layout)
        #expect(moved.contains("via 198.18.0.2"), "\(moved)")

        let down = try await LabTests.lab(["down", "--name", layout.name])
        #expect(down.status == 0 && down.stdout.contains("\(state.processes.count) processes ended"), "\(down.stdout)\(down.stderr)")
        #expect(try LabTests.leftovers(layout, pids: state.processes.map(\.pid)) == [])
    }

    @Test func routerAndKeepalivedTogetherAreRefused() async throws {
        let run = try await LabTests.lab(["up", "--name", LabTests.uniqueName(), "--router", "bird", "--keepalived", "1"])
        #expect(run.status == 64 && run.stderr.contains("--router and --keepalived"), "\(run.stderr)")
    }
}
