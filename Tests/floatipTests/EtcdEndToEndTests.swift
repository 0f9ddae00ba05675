import Foundation
import Glibc
import Testing

/// Two real agents with `coordination: etcd` (TTL 3 s) and a real etcd on the switch (198.18.0.5):
/// cut the holder off from etcd only (its peer still hears it), and it releases before its lease
/// can expire while the other node takes over; healed, the new holder hands the group back
/// (failback started by the holder); kill -9 it and the other takes over once the lease has
/// expired. Holders are sampled all along.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && EtcdServer.runnable, .namespaces))
struct EtcdEndToEndTests {
    @Test func theHolderCutOffFromEtcdReleasesAndThePeerTakesOver() async throws {
        let lab = try AgentLab()
        try lab.network.ip(lab.switchNamespace, "addr", "add", "198.18.0.5/24", "dev", "br0")
        try lab.network.ip(lab.switchNamespace, "link", "set", "br0", "up")
        let etcd = try EtcdServer(address: "198.18.0.5", namespace: lab.switchNamespace)
        defer { etcd.stop() }
        for node in 1...2 {
            let text = try String(contentsOfFile: lab.config(node), encoding: .utf8)
            try (text + "\ncoordination: { kind: etcd, endpoints: [\"\(etcd.endpoint)\"], ttl: 3s }\n")
                .write(toFile: lab.config(node), atomically: true, encoding: .utf8)
        }
        try lab.start(1)
        try lab.start(2)
        let watch = HolderWatch(lab)
        let first = try await watch.until(.seconds(10)) { $0 == [1] }
        #expect(first != nil, "web1 never held\n\(lab.log(1))\n\(etcd.logTail)")
        guard first != nil else { return }
        _ = try await watch.until(.seconds(1)) { _ in false }  // steady: renewals going

        // Cut web1 off from etcd only (its heartbeats to web2 still flow).
        try lab.network.exec(lab.namespace(1), "nft", "add", "table", "inet", "floatipetcd")
        try lab.network.exec(
            lab.namespace(1), "nft", "add", "chain", "inet", "floatipetcd", "out",
            "{ type filter hook output priority 0; }")
        try lab.network.exec(
            lab.namespace(1), "nft", "add", "rule", "inet", "floatipetcd", "out", "ip", "daddr", "198.18.0.5", "drop")
        let cut = ContinuousClock.now
        let moved = try await watch.until(.seconds(10)) { $0 == [2] }
        #expect(moved != nil, "web2 never took over\n\(lab.log(1))\n\(lab.log(2))")
        let released = try #require(watch.lastHeld[1]) - cut
        print("etcd e2e: web1 cut off from etcd → released after \(released.shortDescription) "
            + "(its lease expires on the server 3 s after its last renewal); web2 holds after "
            + "\((moved ?? .zero).shortDescription)")
        #expect(released < .seconds(3), "released before the lease could expire on the server")
        #expect(lab.log(1).contains("lost etcd key /floatip/lab/web"), "\(lab.log(1))")

        // Healed: web1 ranks higher. Its own claim would fail on the key, so web2, the holder,
        // hands the group back once it has heard web1 healthy for preempt_delay (1 s), after
        // web1's fault hold (one ttl).
        _ = try lab.network.exec(lab.namespace(1), "nft", "delete", "table", "inet", "floatipetcd")
        let healed = ContinuousClock.now
        let failback = try await watch.until(.seconds(8)) { $0 == [1] }
        #expect(failback != nil, "web2 never handed the group back\n\(lab.log(2))")
        #expect(lab.log(2).contains("failback: released for web1"), "\(lab.log(2))")
        print("etcd e2e: healed → web1 holds again after \((ContinuousClock.now - healed).shortDescription) "
            + "(fault hold 3 s + preempt_delay 1 s; web2 started the failback)")

        // kill -9 web1: web2 takes over once web1's lease has expired.
        lab.signal(1, SIGKILL)
        let killed = ContinuousClock.now
        let taken = try await watch.until(.seconds(10)) { $0.contains(2) }
        #expect(taken != nil, "web2 never took over\n\(lab.log(2))")
        let failover = (taken ?? .zero)
        let gone = (watch.lastHeld[1] ?? killed) - killed
        print("etcd e2e: web1 killed → web2 holds after \(failover.shortDescription); web1's address expired "
            + "after \(gone.shortDescription); \(watch.samples) samples, \(watch.doubleHeld) with two holders")
        #expect(failover < .seconds(3) + .milliseconds(500) + .seconds(2), "lease TTL + expiry slack + one retry")
        #expect(watch.doubleHeld == 0, "never two holders")
        #expect(gone < failover, "the killed holder's address vanished (lease-bounded lifetime) before web2 claimed")
    }
}
