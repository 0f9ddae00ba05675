import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The `bgp` mover against FRR (zebra installing bgpd's best route, bfdd): the second routing
/// daemon operators run. A killed holder's session closes and zebra moves the route to the
/// standby; with BFD, a frozen holder is dropped after the detection time.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && FRRRouter.available(for: "the bgp mover against FRR"), .namespaces))
struct BGPFRREndToEndTests {
    @Test func aKilledHolderMovesTheRouteToTheStandby() async throws {
        let router = try BGPRouterLab(frr: true)
        defer { router.end() }
        let lab = router.lab, frr = try #require(router.frr)
        try await router.startAndReachWeb1()
        #expect(frr.kernelRoute(BGPRouterLab.vip).contains("via 198.18.0.1"), "zebra installed bgpd's route\n\(router.table())")
        let clock = ContinuousClock()
        let killed = clock.now
        lab.signal(1, SIGKILL)
        let moved = try await lab.wait(.seconds(8)) { router.answer() == "web2" }
        #expect(moved != nil, "\(router.table())\n\(lab.log(2))")
        print("bgp failover (FRR) after SIGKILL, fault to the client's first answer from the standby: \((clock.now - killed).shortDescription)")
        #expect(frr.kernelRoute(BGPRouterLab.vip).contains("via 198.18.0.2"), "\(router.table())")
    }

    @Test func withBFDAFrozenHolderIsDroppedInAboutThreeHundredMilliseconds() async throws {
        let router = try BGPRouterLab(holdTime: 9, bfd: true, frr: true)
        defer { router.end() }
        let lab = router.lab, frr = try #require(router.frr)
        try await router.startAndReachWeb1()
        let up = try await lab.wait(.seconds(10)) {
            (try frr.vtysh("show bfd peers brief")).components(separatedBy: " up ").count - 1 == 2
        }
        #expect(up != nil, "\((try? frr.vtysh("show bfd peers")) ?? "")\n\(lab.log(1))")
        let seen = try await router.probe(until: "web2") { router.freeze(1, true) }
        router.freeze(1, false)
        print("bgp failover (FRR, BFD 3 × 100 ms, hold time 9 s) after SIGSTOP of the holder's agent and service: "
            + "\(seen.failed) requests unanswered, longest gap between answers \(seen.gap.shortDescription)")
        #expect(seen.reached && seen.gap < .seconds(2), "BFD's 300 ms, not the 9 s hold time\n\(router.table())")
    }
}
