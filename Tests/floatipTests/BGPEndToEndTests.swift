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
    @Test func theRouterSendsTheClientToTheHolderAndThenToTheStandby() async throws {
        let router = try BGPRouterLab()
        defer { router.end() }
        let lab = router.lab, bird = router.bird!
        func table() -> String { router.table() }
        func answer() -> String? { router.answer() }

        try lab.start(1)
        try lab.start(2)
        let first = try await lab.wait(.seconds(15)) { answer() == "web1" }
        #expect(first != nil, "the client never reached web1: \(answer() ?? "no answer")\n\(table())\n\(lab.log(1))")
        guard first != nil else { return }
        let route = try bird.route("\(BGPRouterLab.vip)/32")
        #expect(route.contains("via 198.18.0.1") && route.contains("AS65001"), "\(route)")
        #expect(!route.contains("via 198.18.0.2"), "only the holder announces\n\(route)")
        #expect(try lab.network.ip(lab.namespace(1), "addr", "show", "dev", "lo").contains("\(BGPRouterLab.vip)/32"))
        #expect(try !lab.network.ip(lab.namespace(2), "addr", "show", "dev", "lo").contains("\(BGPRouterLab.vip)/32"))
        // Status shows the session and what it announced.
        let status = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let mover = try #require(((object?["groups"] as? [[String: Any]])?.first)?["mover"] as? [String: Any], "\(status.stdout)")
        #expect(mover["kind"] as? String == "bgp")
        #expect((mover["answer"] as? String) == "198.18.0.254 (AS 65000): established, announced \(BGPRouterLab.vip)/32", "\(mover)")
        #expect(mover["providerHoldsHere"] as? Bool == true, "\(mover)")

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
        let moved = try bird.route("\(BGPRouterLab.vip)/32")
        #expect(moved.contains("via 198.18.0.2") && !moved.contains("via 198.18.0.1"), "\(moved)")

        // A clean stop: the agent withdraws, then ends its session with a message the router shows.
        lab.signal(2, SIGTERM)
        _ = try await lab.waitForExit(2)
        let withdrawn = try await lab.wait(.seconds(3)) { try bird.route("\(BGPRouterLab.vip)/32").isEmpty }
        #expect(withdrawn != nil, "\(table())")
        #expect(try bird.birdc("show", "protocols", "all", "node2").contains("floatip agent stopping"))
        #expect(try !lab.network.ip(lab.namespace(2), "addr", "show", "dev", "lo").contains("\(BGPRouterLab.vip)/32"), "released: gone from lo")
    }

    /// Maintenance moves the group make-before-break: the new holder announces before the old one
    /// withdraws, so the client misses no request. There and back, twice.
    @Test func maintenanceMovesLoseNoRequest() async throws {
        let router = try BGPRouterLab()
        defer { router.end() }
        let lab = router.lab
        try await router.startAndReachWeb1()
        for repetition in 0..<4 {
            let (from, to) = repetition % 2 == 0 ? (1, 2) : (2, 1)
            _ = try await lab.floatip(to, ["maintenance", "off", "--config", lab.config(to)])
            let seen = try await router.probe(until: "web\(to)") {
                let run = try await lab.floatip(from, ["maintenance", "on", "--config", lab.config(from)])
                #expect(run.status == 0, "\(run.stderr)")
            }
            print("bgp maintenance move web\(from) → web\(to): \(seen.failed) requests unanswered, longest gap between answers "
                + "\(seen.gap.shortDescription)")
            #expect(seen.reached && router.answer() == "web\(to)", "\(router.table())\n\(lab.log(to))")
            #expect(seen.failed == 0, "make-before-break: the old path goes only after the new one is in\n\(router.table())")
        }
    }

    /// A frozen holder (SIGSTOP) says nothing: the standby claims after the dead interval, but the
    /// router keeps the frozen node's path until its hold time (3 s here) runs out; without BFD that
    /// is the outage. Thawed, the old holder's stale session is gone and one path remains.
    @Test func aFrozenHolderIsDroppedAfterTheHoldTime() async throws {
        let router = try BGPRouterLab()
        defer { router.end() }
        let lab = router.lab
        try await router.startAndReachWeb1()
        let seen = try await router.probe(until: "web2") { router.freeze(1, true) }
        router.freeze(1, false)
        print("bgp failover (BIRD, hold time 3 s, no BFD) after SIGSTOP of the holder's agent and service: "
            + "\(seen.failed) requests unanswered, longest gap between answers \(seen.gap.shortDescription)")
        #expect(seen.reached, "\(router.table())\n\(lab.log(2))")
        #expect(seen.gap > .seconds(2) && seen.gap < .seconds(5), "about the hold time (3 s)\n\(router.table())\n\(lab.log(2))")
        // Thawed: whoever holds now, the router has one path and the client reaches that node.
        let settled = try await lab.wait(.seconds(10)) {
            let route = try router.bird.route("\(BGPRouterLab.vip)/32")
            let paths = route.components(separatedBy: "via 198.18.0.").count - 1
            return paths == 1 && router.answer() != nil
        }
        #expect(settled != nil, "\(router.table())\n\(lab.log(1))\n\(lab.log(2))")
    }

    /// With BFD (3 × 100 ms), the router drops a frozen holder's session, and its route, after the
    /// detection time instead of the hold time; the standby has announced by then.
    @Test func withBFDAFrozenHolderIsDroppedInAboutThreeHundredMilliseconds() async throws {
        let router = try BGPRouterLab(holdTime: 9, bfd: true)
        defer { router.end() }
        let lab = router.lab
        try await router.startAndReachWeb1()
        // BFD comes up after BGP (BIRD starts it once the session is established; 1 s per packet until up).
        let up = try await lab.wait(.seconds(10)) {
            let sessions = try router.bird.birdc("show", "bfd", "sessions")
            return sessions.components(separatedBy: " Up ").count - 1 == 2
        }
        #expect(up != nil, "\((try? router.bird.birdc("show", "bfd", "sessions")) ?? "")\n\(lab.log(1))")
        let seen = try await router.probe(until: "web2") { router.freeze(1, true) }
        router.freeze(1, false)
        print("bgp failover (BIRD, BFD 3 × 100 ms, hold time 9 s) after SIGSTOP of the holder's agent and service: "
            + "\(seen.failed) requests unanswered, longest gap between answers \(seen.gap.shortDescription)")
        #expect(seen.reached, "\(router.table())\n\(lab.log(2))")
        #expect(seen.gap < .seconds(2), "BFD's 300 ms, not the 9 s hold time\n\(router.bird.log)")
        let protocols = (try? router.bird.birdc("show", "protocols", "all", "node1")) ?? ""
        #expect(protocols.contains("BFD session down"), "\(protocols)")
    }

    /// iBGP (one AS, LOCAL_PREF sent, empty AS path) carrying both families over the IPv4 session:
    /// the IPv6 floating address moves with the IPv4 one when the holder is killed.
    @Test func iBGPMovesAnIPv6AddressWithTheIPv4One() async throws {
        let router = try BGPRouterLab(iBGP: true, ipv6: true)
        defer { router.end() }
        let lab = router.lab
        try lab.start(1)
        try lab.start(2)
        let first = try await lab.wait(.seconds(15)) { router.answer() == "web1" && router.pings6() }
        try #require(first != nil, "the client never reached web1\n\(router.table())\n\(lab.log(1))")
        let route6 = try router.bird.route("\(BGPRouterLab.vip6)/128")
        #expect(route6.contains("via 2001:2::1"), "\(route6)\n\(router.table())")
        #expect(route6.contains("BGP.local_pref: 100"), "iBGP carries LOCAL_PREF\n\(route6)")
        lab.signal(1, SIGKILL)
        let moved = try await lab.wait(.seconds(8)) {
            let route = try router.bird.route("\(BGPRouterLab.vip6)/128")
            return router.answer() == "web2" && router.pings6() && route.contains("via 2001:2::2")
        }
        #expect(moved != nil, "\(router.table())\n\(lab.log(2))")
        print("bgp failover (BIRD, iBGP, IPv4 and IPv6) after SIGKILL: both families at the standby after \(moved?.shortDescription ?? "never")")
        #expect(try !router.bird.route("\(BGPRouterLab.vip6)/128").contains("via 2001:2::1"))
    }

    /// TCP-MD5: with the router's password the session comes up and the route is in; with another,
    /// the router's kernel drops every segment, and the agent's log names the peer and the likely cause.
    @Test func tcpMD5RightAndWrongPassword() async throws {
        do {
            let router = try BGPRouterLab(passwords: ("floatip-md5", "floatip-md5"))
            defer { router.end() }
            try router.lab.start(1)
            let reached = try await router.lab.wait(.seconds(15)) { router.answer() == "web1" }
            #expect(reached != nil, "\(router.table())\n\(router.lab.log(1))")
        }
        let router = try BGPRouterLab(passwords: ("floatip-md5", "another"))
        defer { router.end() }
        try router.lab.start(1)
        let named = try await router.lab.wait(.seconds(14)) {
            router.lab.log(1).contains("bgp: session with 198.18.0.254 (AS 65000) down: no connection within 10 s (with TCP-MD5 on")
        }
        #expect(named != nil, "\(router.lab.log(1))")
        #expect(router.answer() == nil, "no session, no route")
        #expect(try router.bird.route("\(BGPRouterLab.vip)/32").isEmpty)
    }

    /// A released route drains before it goes: re-announced with GRACEFUL_SHUTDOWN and the worst MED,
    /// the router already prefers the new holder's path (and the client reaches it) while the old
    /// one is still announced; only after `drain` is it withdrawn.
    @Test func aReleasedRouteDrainsToTheNewHolderBeforeItIsWithdrawn() async throws {
        let router = try BGPRouterLab(drain: "3s")
        defer { router.end() }
        let lab = router.lab
        try await router.startAndReachWeb1()
        let started = ContinuousClock.now
        let maintenance = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(maintenance.status == 0, "\(maintenance.stderr)")
        let drained = try await lab.wait(.seconds(2)) {
            let route = try router.bird.route("\(BGPRouterLab.vip)/32")
            let first = route.range(of: "via ").map { String(route[$0.upperBound...].prefix(10)) }
            return first == "198.18.0.2" && route.contains("via 198.18.0.1") && route.contains("(65535,0)")
                && route.contains("BGP.med: 4294967295") && router.answer() == "web2"
        }
        #expect(drained != nil, "both paths, the draining one second\n\(router.table())")
        print("bgp drain: the router preferred the new holder's path \((ContinuousClock.now - started).shortDescription) after "
            + "maintenance on the old one, its path still announced as GRACEFUL_SHUTDOWN")
        let withdrawn = try await lab.wait(.seconds(5)) { !(try router.bird.route("\(BGPRouterLab.vip)/32")).contains("via 198.18.0.1") }
        #expect(withdrawn != nil, "withdrawn after the drain\n\(router.table())")
        #expect(ContinuousClock.now - started > .seconds(2), "not before the drain")
    }

    /// `mode: anycast`: both healthy nodes announce; a failing required check withdraws that node's
    /// path (the client is then served by the other), its return announces it again, and
    /// maintenance withdraws too.
    @Test func anycastAnnouncesFromEveryHealthyNode() async throws {
        let router = try BGPRouterLab(anycast: true)
        defer { router.end() }
        let lab = router.lab
        try lab.start(1)
        try lab.start(2)
        let both = try await lab.wait(.seconds(15)) { Set(router.paths()) == [1, 2] && router.answer() != nil }
        try #require(both != nil, "both paths\n\(router.table())\n\(lab.log(1))\n\(lab.log(2))")
        let best = try #require(router.paths().first)
        // The node the router prefers fails its required check: its path goes, the other serves.
        let failing = best, other = 3 - best
        try FileManager.default.removeItem(at: lab.serviceFile(failing))
        let started = ContinuousClock.now
        let withdrawn = try await lab.wait(.seconds(5)) { router.paths() == [other] && router.answer() == "web\(other)" }
        #expect(withdrawn != nil, "\(router.table())\n\(lab.log(failing))")
        print("bgp anycast: web\(failing)'s failing check took its path away after \((ContinuousClock.now - started).shortDescription) "
            + "(check fall 2 × 100 ms and the 200 ms drain)")
        try Data().write(to: lab.serviceFile(failing))
        let back = try await lab.wait(.seconds(5)) { Set(router.paths()) == [1, 2] }
        #expect(back != nil, "announced again once healthy\n\(router.table())")
        let status = try await lab.floatip(other, ["status", "--config", lab.config(other)])
        #expect(status.stdout.contains("anycast"), "\(status.stdout)")
        let switchover = try await lab.floatip(other, ["switchover", "web", "--config", lab.config(other)])
        #expect(switchover.status != 0 && switchover.stderr.contains("is anycast"), "\(switchover.stderr)")
        let maintenance = try await lab.floatip(other, ["maintenance", "on", "--config", lab.config(other)])
        #expect(maintenance.status == 0, "\(maintenance.stderr)")
        let drained = try await lab.wait(.seconds(5)) { router.paths() == [failing] && router.answer() == "web\(failing)" }
        #expect(drained != nil, "maintenance withdraws\n\(router.table())")
    }

    /// Planned moves the operator makes: a switchover to web2 and back (make-before-break), then a
    /// failback: web1 is killed, web2 takes over, web1 restarts and takes the group back after its
    /// preempt delay. The planned ones lose nothing; every gap is reported.
    @Test func switchoverAndFailbackLoseNoRequest() async throws {
        let router = try BGPRouterLab()
        defer { router.end() }
        let lab = router.lab
        try await router.startAndReachWeb1()
        for (from, to) in [(1, 2), (2, 1)] {
            let seen = try await router.probe(until: "web\(to)") {
                let run = try await lab.floatip(from, ["switchover", "web", "--to", "web\(to)", "--config", lab.config(from)])
                #expect(run.status == 0, "\(run.stderr)")
            }
            print("bgp switchover web\(from) → web\(to): \(seen.failed) requests unanswered, longest gap \(seen.gap.shortDescription)")
            #expect(seen.reached && seen.failed == 0, "\(router.table())\n\(lab.log(to))")
        }
        lab.signal(1, SIGKILL)
        _ = try await lab.waitForExit(1)
        let standby = try await lab.wait(.seconds(8)) { router.answer() == "web2" }
        try #require(standby != nil, "\(router.table())\n\(lab.log(2))")
        let seen = try await router.probe(until: "web1", limit: .seconds(15)) { try lab.start(1) }
        print("bgp failback to the restarted web1: \(seen.failed) requests unanswered, longest gap \(seen.gap.shortDescription)")
        #expect(seen.reached && seen.failed == 0, "\(router.table())\n\(lab.log(1))")
    }

    /// The holder's link goes down: with BFD the router drops its path after the detection time.
    @Test func withBFDTheHoldersLinkDownIsDroppedInAboutThreeHundredMilliseconds() async throws {
        let router = try BGPRouterLab(holdTime: 9, bfd: true)
        defer { router.end() }
        let lab = router.lab
        try await router.startAndReachWeb1()
        let up = try await lab.wait(.seconds(10)) {
            (try router.bird.birdc("show", "bfd", "sessions")).components(separatedBy: " Up ").count - 1 == 2
        }
        #expect(up != nil)
        // The link from the switch to web1 goes down (as a cable pulled at the switch).
        let seen = try await router.probe(until: "web2") { try lab.network.ip(lab.switchNamespace, "link", "set", "p1", "down") }
        print("bgp failover (BIRD, BFD 3 × 100 ms, hold time 9 s) after the holder's link went down: "
            + "\(seen.failed) requests unanswered, longest gap between answers \(seen.gap.shortDescription)")
        #expect(seen.reached && seen.gap < .seconds(2), "BFD's 300 ms, not the 9 s hold time\n\(router.table())")
    }
}
