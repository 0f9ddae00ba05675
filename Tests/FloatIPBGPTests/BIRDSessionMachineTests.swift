import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

@testable import FloatIPBGP

/// `BGPSession` against a real BIRD 2: established, kept up by its own keepalives past several hold
/// times, announcing and withdrawing, refused with a wrong AS, and stopped with a message.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct BIRDSessionMachineTests {
    let route = BGPRoute(prefix: IPPrefix(address: IPAddress("198.18.0.100")!, length: 32), nextHops: [IPAddress("198.18.5.2")!])

    @Test func theMachineHoldsASessionWithBIRD() throws {
        guard BIRDRouter.available(for: "the BGP session machine against BIRD") else { return }
        let lab = try BGPLab()
        let bird = try lab.bird()
        // Hold time 3 s (BIRD offers 9): a keepalive every second keeps the session up.
        let driver = BGPSessionDriver(
            BGPSessionConfig(localASN: 65001, peerASN: 65000, routerID: 0xC612_0502, holdTime: 3, firstRetry: .milliseconds(200)),
            namespace: lab.node, peer: BGPLab.routerAddress)
        driver.advertise([route])
        driver.start()
        #expect(driver.run(for: .seconds(10)) { $0.isEstablished }, "never established: \(driver.events)\n\(bird.log)")
        #expect(driver.session.negotiatedHoldTime == 3)
        let announced = driver.run(for: .seconds(5)) { _ in (try? bird.route("198.18.0.100/32").isEmpty == false) ?? false }
        #expect(announced, "BIRD has the route\n\(bird.log)")
        // Past the 3 s hold time: the machine's keepalives keep it up, BIRD's keep the machine's hold timer quiet.
        driver.run(for: .seconds(4.5))
        #expect(driver.isEstablished && driver.events.count == 1, "\(driver.events)\n\(bird.log)")
        let state = try bird.birdc("show", "protocols", "floatip")
        #expect(state.contains("Established"), "\(state)")

        driver.advertise([])
        let withdrawn = driver.run(for: .seconds(5)) { _ in (try? bird.route("198.18.0.100/32").isEmpty) ?? false }
        #expect(withdrawn, "BIRD dropped the route")
        driver.stop("floatip test done")
        let reported = driver.run(for: .seconds(5)) { _ in
            (try? bird.birdc("show", "protocols", "all", "floatip").contains("floatip test done")) ?? false
        }
        #expect(reported, "BIRD shows the shutdown message")
        #expect(driver.events.last == .down(reason: "stopped: floatip test done", retryAt: nil))
    }

    /// The machine configured for the wrong peer AS: it refuses BIRD's OPEN (Bad peer AS, which BIRD
    /// logs), says why, and retries with backoff.
    @Test func aWrongPeerASIsRefusedAndNamed() throws {
        guard BIRDRouter.available(for: "the BGP session machine against BIRD") else { return }
        let lab = try BGPLab()
        let bird = try lab.bird()
        let driver = BGPSessionDriver(
            BGPSessionConfig(localASN: 65001, peerASN: 65010, routerID: 0xC612_0502, firstRetry: .milliseconds(200)),
            namespace: lab.node, peer: BGPLab.routerAddress)
        driver.start()
        let twice = driver.run(for: .seconds(10)) { $0.events.count >= 2 }
        #expect(twice, "\(driver.events)")
        #expect(driver.events.first == .down(reason: "OPEN: the peer says it is AS 65000, the config says AS 65010",
                                             retryAt: driver.events.first.flatMap { if case .down(_, let at) = $0 { at } else { nil } }))
        let logged = driver.run(for: .seconds(3)) { _ in bird.log.contains("Bad peer AS") }
        #expect(logged, "BIRD received our NOTIFICATION\n\(bird.log)")
    }

    /// TCP-MD5: with BIRD's password the session comes up; with another, BIRD's kernel drops every
    /// segment, the connection never answers, and the machine says so and retries.
    @Test(arguments: [("s3cret pass", true), ("wrong", false)])
    func tcpMD5(password: String, works: Bool) throws {
        guard BIRDRouter.available(for: "TCP-MD5 against BIRD") else { return }
        let lab = try BGPLab()
        let bird = try lab.bird(password: "s3cret pass")
        let driver = BGPSessionDriver(
            BGPSessionConfig(localASN: 65001, peerASN: 65000, routerID: 0xC612_0502, firstRetry: .milliseconds(200)),
            namespace: lab.node, peer: BGPLab.routerAddress, password: password)
        driver.advertise([route])
        driver.start()
        if works {
            #expect(driver.run(for: .seconds(10)) { $0.isEstablished }, "\(driver.events)\n\(bird.log)")
            let announced = driver.run(for: .seconds(5)) { _ in (try? bird.route("198.18.0.100/32").isEmpty == false) ?? false }
            #expect(announced)
        } else {
            let failed = driver.run(for: .seconds(6)) { !$0.events.isEmpty }
            #expect(failed && !driver.isEstablished, "\(driver.events)")
            #expect(driver.events.first.map { if case .down(let reason, _) = $0 { reason } else { "" } }
                == "connect to \(BGPLab.routerAddress): no answer from \(BGPLab.routerAddress):179 within 2 s")
        }
    }
}
