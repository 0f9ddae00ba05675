import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

@testable import FloatIPBGP

/// The session machine and the codec against FRR's bgpd (a second, independent BGP implementation):
/// IPv4 and IPv6 routes announced and withdrawn, keepalives past the hold time, and the stop message
/// logged by FRR.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct FRRSessionTests {
    @Test func theMachineHoldsASessionWithFRR() throws {
        guard FRRBGPRouter.available(for: "the BGP session machine against FRR") else { return }
        let lab = try BGPLab()
        let frr = try lab.frr(holdTime: 3)
        let v4 = BGPRoute(prefix: IPPrefix(address: IPAddress("198.18.0.100")!, length: 32), nextHops: [IPAddress("198.18.5.2")!],
                          med: 20, communities: [BGPAttribute.gracefulShutdown])
        let v6 = BGPRoute(prefix: IPPrefix(address: IPAddress("2001:2::100")!, length: 128), nextHops: [IPAddress("2001:2:5::2")!])
        let driver = BGPSessionDriver(
            BGPSessionConfig(localASN: 65001, peerASN: 65000, routerID: 0xC612_0502, holdTime: 9, firstRetry: .milliseconds(200)),
            namespace: lab.node, peer: BGPLab.routerAddress)
        driver.advertise([v4, v6])
        driver.start()
        #expect(driver.run(for: .seconds(10)) { $0.isEstablished }, "never established: \(driver.events)\n\(frr.log)")
        #expect(driver.session.negotiatedHoldTime == 3, "FRR's 3 s is the smaller offer")
        let both = driver.run(for: .seconds(5)) { _ in
            ((try? !frr.route("198.18.0.100/32").isEmpty && !frr.route("2001:2::100/128").isEmpty) ?? false)
        }
        let route4 = (try? frr.route("198.18.0.100/32")) ?? "", route6 = (try? frr.route("2001:2::100/128")) ?? ""
        #expect(both, "FRR has both routes\n\(route4)\n\(route6)\n\(frr.log)")
        #expect(route4.contains("65001") && route4.contains("198.18.5.2") && route4.contains("metric 20"), "\(route4)")
        #expect(route4.contains("graceful-shutdown"), "FRR reads RFC 8326's community: \(route4)")
        #expect(route6.contains("2001:2:5::2"), "\(route6)")
        driver.run(for: .seconds(5))
        #expect(driver.isEstablished && driver.events.count == 1, "kept up past the 3 s hold time: \(driver.events)")

        driver.advertise([v6])
        let withdrawn = driver.run(for: .seconds(5)) { _ in (try? frr.route("198.18.0.100/32").isEmpty) ?? false }
        #expect(withdrawn, "FRR dropped the IPv4 route")
        driver.stop("floatip test done")
        let reported = driver.run(for: .seconds(5)) { _ in frr.log.contains("floatip test done") }
        #expect(reported, "FRR logs the shutdown message\n\(frr.log)")
        let gone = driver.run(for: .seconds(5)) { _ in (try? frr.route("2001:2::100/128").isEmpty) ?? false }
        #expect(gone, "the session's end withdrew the IPv6 route")
    }
}
