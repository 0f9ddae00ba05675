import FloatIPBGP
import FloatIPCore
import FloatIPLinux
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

/// The BFD session machine and socket against FRR's bfdd: the three-way handshake, then each side
/// detecting the other's silence within 3 × 100 ms.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct FRRBFDTests {
    /// Runs the session over the socket for `limit` (or until `until`), sending unless `silent`.
    final class Driver {
        var session: BFDSession
        let socket: BFDSocket
        let peer: IPAddress
        let origin = ContinuousClock.now
        var changes: [(at: ContinuousClock.Instant, BFDSession.Change)] = []
        var silent = false
        var random = SplitMix64(seed: 5880)

        init(_ session: BFDSession, socket: BFDSocket, peer: IPAddress) {
            self.session = session
            self.socket = socket
            self.peer = peer
        }

        var now: Instant { .zero + (ContinuousClock.now - origin) }

        func send(_ packets: [BFDPacket]) {
            guard !silent else { return }
            for packet in packets { try? socket.send(packet.encode(), to: peer) }
        }

        func note(_ change: BFDSession.Change?) {
            if let change { changes.append((ContinuousClock.now, change)) }
        }

        @discardableResult
        func run(for limit: Duration, until: (Driver) -> Bool = { _ in false }) -> Bool {
            let end = ContinuousClock.now + limit
            while ContinuousClock.now < end {
                if until(self) { return true }
                let wait = min(end - ContinuousClock.now, session.nextDeadline.map { $0 - now } ?? .milliseconds(10), .milliseconds(10))
                var poller = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
                if poll(&poller, 1, Int32(max(0, wait.milliseconds))) > 0 {
                    while let packet = socket.receive() {
                        let (answers, change) = session.received(packet.bytes, hopLimit: packet.ttl, now: now)
                        send(answers)
                        note(change)
                    }
                }
                let (packets, change) = session.tick(now: now, jitter: Double.random(in: 0.75...1, using: &random))
                send(packets)
                note(change)
            }
            return until(self)
        }
    }

    @Test func upWithBfddAndEachSideDetectsTheOthersSilence() throws {
        guard FRRBFDPeer.available(for: "BFD against FRR's bfdd") else { return }
        let lab = try BGPLab()
        let frr = try FRRBFDPeer(namespace: lab.router, address: BGPLab.routerAddress, peer: BGPLab.nodeAddress)
        try frr.start()
        let socket = try BFDSocket(address: IPAddress(BGPLab.nodeAddress)!, namespace: lab.node)
        let driver = Driver(BFDSession(config: .init(discriminator: 0x0F10_A7E1)), socket: socket,
                            peer: IPAddress(BGPLab.routerAddress)!)
        driver.send(driver.session.start(now: driver.now))
        let up = driver.run(for: .seconds(8)) { $0.session.state == .up && frr.status() == "up" }
        #expect(up, "ours \(driver.session.state), bfdd's \(frr.status())\n\(frr.show)")
        guard up else { return }
        driver.run(for: .seconds(1))
        #expect(driver.session.state == .up && frr.status() == "up", "stays up at 100 ms: \(driver.session.discarded)")

        // We go silent: bfdd declares the session down after its detection time (3 × 100 ms).
        driver.silent = true
        let quiet = ContinuousClock.now
        var seenDown: Duration?
        while ContinuousClock.now - quiet < .seconds(3), seenDown == nil {
            if frr.status() == "down" { seenDown = ContinuousClock.now - quiet }
            driver.run(for: .milliseconds(20))
        }
        #expect(seenDown != nil, "bfdd never noticed\n\(frr.show)")
        print("bfdd saw the session down \(seenDown?.shortDescription ?? "never") after floatip went silent (vtysh polled)")
        #expect((seenDown ?? .seconds(9)) < .seconds(1), "about 300 ms, plus vtysh's polling")
        let shown = frr.show
        #expect(shown.contains("control detection time expired"), "\(shown)")

        // Up again, then bfdd is killed: ours goes down by the detection time.
        driver.silent = false
        #expect(driver.run(for: .seconds(8)) { $0.session.state == .up && frr.status() == "up" }, "up again\n\(frr.show)")
        let killed = ContinuousClock.now
        frr.kill()
        driver.run(for: .seconds(2)) { $0.session.state == .down }
        let detected = driver.changes.last.map { $0.at - killed }
        #expect(driver.changes.last?.1 == .down(.detectionTimeExpired), "\(driver.changes.map(\.1))")
        print("floatip saw the session down \(detected?.shortDescription ?? "never") after bfdd was killed")
        #expect(detected.map { $0 >= .milliseconds(200) && $0 < .seconds(1) } == true, "3 × 100 ms (not 3 × 1 s): \(String(describing: detected))")
    }
}
