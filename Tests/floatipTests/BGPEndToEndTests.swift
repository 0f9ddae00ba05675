import FloatIPLab
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// Two real agents with the `bgp` mover peering with a real BIRD 2 (the router, in the switch's
/// namespace, installing its best route in its forwarding table), and a client one hop behind the
/// router asking the floating address who answers: the holder's announcement carries the traffic,
/// a killed holder's closed session moves it to the standby, and a stopping agent withdraws.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && BIRDRouter.available(for: "the bgp mover's end-to-end test"), .namespaces))
struct BGPEndToEndTests {
    static let router = "198.18.0.254"

    @Test func theRouterSendsTheClientToTheHolderAndThenToTheStandby() async throws {
        let lab = try AgentLab(mover: { _ in
            "{ kind: bgp, local_asn: 65001, peer_asn: 65000, peers: [\(Self.router)], hold_time: 3s }"
        })
        let routerNamespace = lab.switchNamespace
        try lab.network.ip(routerNamespace, "addr", "add", "\(Self.router)/24", "dev", "br0")
        try lab.network.ip(routerNamespace, "link", "set", "br0", "up")
        _ = try command(["ip", "netns", "exec", routerNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        // The client is behind the router (198.18.9.0/24), its only route the floating address via it.
        let client = try lab.network.namespace("cl")
        try lab.network.link(client, "eth0", routerNamespace, "pc")
        try lab.network.ip(routerNamespace, "addr", "add", "198.18.9.1/24", "dev", "pc")
        try lab.network.ip(client, "addr", "add", "198.18.9.2/24", "dev", "eth0")
        try lab.network.ip(client, "route", "add", "\(AgentLab.vip)/32", "via", "198.18.9.1")
        for node in 1...2 { try lab.network.ip(lab.namespace(node), "route", "add", "198.18.9.0/24", "via", Self.router) }
        let bird = try BIRDRouter(
            namespace: routerNamespace, address: Self.router, asn: 65000,
            peers: [("198.18.0.1", 65001), ("198.18.0.2", 65001)], holdTime: 3, kernel: true)
        try bird.start()
        defer { bird.end() }
        // Each node's service: answers on UDP 7480 with its name, on any of its addresses (the floating one on lo too).
        var responders: [Process] = []
        defer { for responder in responders { ServerProcess.end(responder) } }
        for node in 1...2 {
            responders.append(try ServerProcess.start(
                [try CLITests.floatipBinary().path, "lab", "responder", "--node", "web\(node)", "--directory", lab.directory.path,
                 "--lifetime", "120"],
                namespace: lab.namespace(node), log: lab.directory.appendingPathComponent("responder\(node).log").path))
        }
        func table() -> String { (try? bird.birdc("show", "route", "all")) ?? "" }
        func answer() -> String? { try? LabClient.ask(from: client, address: AgentLab.vip, timeout: .milliseconds(50)) }

        try lab.start(1)
        try lab.start(2)
        let first = try await lab.wait(.seconds(15)) { answer() == "web1" }
        #expect(first != nil, "the client never reached web1: \(answer() ?? "no answer")\n\(table())\n\(lab.log(1))")
        guard first != nil else { return }
        let route = try bird.route("\(AgentLab.vip)/32")
        #expect(route.contains("via 198.18.0.1") && route.contains("AS65001"), "\(route)")
        #expect(!route.contains("via 198.18.0.2"), "only the holder announces\n\(route)")
        #expect(try lab.network.ip(lab.namespace(1), "addr", "show", "dev", "lo").contains("\(AgentLab.vip)/32"))
        #expect(try !lab.network.ip(lab.namespace(2), "addr", "show", "dev", "lo").contains("\(AgentLab.vip)/32"))

        // SIGKILL: web1's session closes with it (the router drops its route at once); web2 claims
        // after the dead interval and announces. Probed every few ms; the gap is the outage.
        lab.signal(1, SIGKILL)
        let clock = ContinuousClock()
        let killed = clock.now
        var failed = 0
        var answered: String?
        while clock.now - killed < .seconds(8) {
            answered = answer()
            if answered == "web2" { break }
            if answered == nil { failed += 1 }
        }
        let outage = clock.now - killed
        #expect(answered == "web2", "the client never reached web2\n\(table())\n\(lab.log(2))")
        print("bgp failover (BIRD) after SIGKILL, fault to the client's first answer from the standby: \(outage.shortDescription), "
            + "\(failed) probes unanswered")
        #expect(outage < .seconds(3), "dead interval (300 ms) and one UPDATE; not the 3 s hold time")
        let moved = try bird.route("\(AgentLab.vip)/32")
        #expect(moved.contains("via 198.18.0.2") && !moved.contains("via 198.18.0.1"), "\(moved)")

        // A clean stop: the agent withdraws, then ends its session with a message the router shows.
        lab.signal(2, SIGTERM)
        _ = try await lab.waitForExit(2)
        let withdrawn = try await lab.wait(.seconds(3)) { try bird.route("\(AgentLab.vip)/32").isEmpty }
        #expect(withdrawn != nil, "\(table())")
        #expect(try bird.birdc("show", "protocols", "all", "node2").contains("floatip agent stopping"))
        #expect(try !lab.network.ip(lab.namespace(2), "addr", "show", "dev", "lo").contains("\(AgentLab.vip)/32"), "released: gone from lo")
    }
}
