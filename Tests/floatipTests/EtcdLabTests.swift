import Foundation
import Glibc
import Testing

/// Real `floatip agent`s (3 and 5) with `coordination: etcd` against a real 3-member etcd cluster on
/// the lab's switch (198.18.0.21–23: the nodes use 198.18.0.1–5). Every add and delete of the
/// floating address on every node is recorded (`ip monitor`, `AddressMonitor`); the holders are
/// sampled from that every 5 ms, and neither a sample nor the full timeline may show two.
///
/// - kill -9 the holder: a standby, whose campaign lost while the dead holder's key was still
///   there, sees the key go (watch) and holds within TTL + 1 s;
/// - maintenance on the holder: a standby claims as soon as the old holder resigns;
/// - kill -9 the etcd leader member: the holder keeps its address (TTL 5 s, the default) when the
///   other two elect a leader within 2 s;
/// - cut the holder off from etcd only: it removes its address before its lease can expire on
///   the server, and another node claims; then kill -9 that one, and a third holds within TTL + 1 s.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && EtcdServer.runnable, .namespaces))
struct EtcdLabTests {
    static let memberAddresses = ["198.18.0.21", "198.18.0.22", "198.18.0.23"]

    /// A lab of `nodes` agents (`preempt: false`, as docs/coordination.md advises with etcd) and a
    /// 3-member etcd in its switch namespace; every agent started and configured with all members.
    struct EtcdLab {
        let lab: AgentLab
        let members: [EtcdServer]
        let monitor: AddressMonitor
        /// Samples the holders from `monitor`.
        let watch: HolderWatch
        let ttl: Duration

        init(nodes: Int, ttl seconds: Int64) throws {
            lab = try AgentLab(nodes: nodes, preempt: false)
            ttl = .seconds(seconds)
            monitor = try AddressMonitor(lab)
            watch = HolderWatch(holders: monitor.holders)
            for address in EtcdLabTests.memberAddresses {
                try lab.network.ip(lab.switchNamespace, "addr", "add", "\(address)/24", "dev", "br0")
            }
            try lab.network.ip(lab.switchNamespace, "link", "set", "br0", "up")
            members = try EtcdServer.cluster(3, addresses: EtcdLabTests.memberAddresses, namespace: lab.switchNamespace)
            do {
                let endpoints = members.map { "\"\($0.endpoint)\"" }.joined(separator: ", ")
                for node in 1...nodes {
                    let text = try String(contentsOfFile: lab.config(node), encoding: .utf8)
                    try (text + "\ncoordination: { kind: etcd, endpoints: [\(endpoints)], ttl: \(seconds)s }\n")
                        .write(toFile: lab.config(node), atomically: true, encoding: .utf8)
                }
                for node in 1...nodes { try lab.start(node) }
            } catch {
                stop()
                throw error
            }
        }

        /// Ends the agents, then the etcd members, by their PIDs (the lab removes the namespaces).
        func stop() {
            for node in 1...lab.hosts.count { lab.signal(node, SIGKILL) }
            members.forEach { $0.stop() }
            monitor.stop()
        }

        /// Never two holders: not in any sample, not at any instant of the monitors' timeline; and
        /// the monitors agree with `ip addr` at the end (they saw what happened).
        func expectOneHolderAtATime(_ watch: HolderWatch) throws {
            #expect(watch.doubleHeld == 0, "no sample with two holders (\(watch.samples) samples)")
            let overlaps = monitor.overlaps()
            #expect(overlaps.isEmpty, "two holders at \(overlaps)\n\(monitor.timeline())")
            #expect(try monitor.holders() == lab.holders(), "the monitors saw every change")
        }

        /// Waits (at most 10 s) until web1 alone holds, then one more second (renewals going).
        func web1HoldsSteadily() async throws {
            let first = try await watch.until(.seconds(10)) { $0 == [1] }
            try #require(first != nil, "web1 never held\n\(logs)")
            _ = try await watch.until(.seconds(1)) { _ in false }
        }

        var logs: String {
            (1...lab.hosts.count).map { "--- web\($0)\n\(lab.log($0))" }.joined(separator: "\n")
                + "\n" + members.map { "--- etcd \($0.address)\n\($0.logTail)" }.joined(separator: "\n")
        }
    }

    @Test func killingTheHolderOfThreeMovesTheGroupWithinTheTTLPlusOneSecond() async throws {
        let etcd = try EtcdLab(nodes: 3, ttl: 3)
        defer { etcd.stop() }
        try await etcd.web1HoldsSteadily()
        let watch = etcd.watch

        let failover = try await killHolder(1, etcd, watch)
        try etcd.expectOneHolderAtATime(watch)
        print("etcd lab (3 agents, 3 members, ttl 3s): holder killed → a standby holds after "
            + "\(failover.shortDescription); \(watch.samples) samples, \(watch.doubleHeld) with two holders")
    }

    @Test func maintenanceHandsOverAsSoonAsTheOldHolderResigns() async throws {
        // Make-before-break cannot work with etcd: web1 releases and resigns first and names its
        // target in its heartbeat; the target campaigns on hearing it, patiently, and wins as soon
        // as web1 has resigned (docs/coordination.md, "Planned moves: break-before-make").
        let etcd = try EtcdLab(nodes: 3, ttl: 3)
        defer { etcd.stop() }
        let lab = etcd.lab
        try await etcd.web1HoldsSteadily()
        let watch = etcd.watch

        let on = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(on.status == 0, "\(on.stderr)")
        let moved = try await watch.until(.seconds(9)) { $0.count == 1 && $0 != [1] }
        try #require(moved != nil, "no hand-over\n\(etcd.logs)")
        let released = try #require(etcd.monitor.lastDelete(of: 1))
        let added = try #require(etcd.monitor.firstAdd(after: released.addingTimeInterval(-1), excluding: 1))
        let gap = Duration.seconds(added.at.timeIntervalSince(released))
        print("etcd lab (3 agents, ttl 3s): maintenance on web1 → web\(added.node) holds \(gap.shortDescription) "
            + "after web1 removed its address (\((moved ?? .zero).shortDescription) after the command)")
        #expect(gap > .zero, "break before make under etcd: web1's address went first")
        #expect(gap < .milliseconds(500), "claimed on the key's deletion, not after the 1 s claim-failure backoff")
        #expect(lab.log(added.node).contains("web1 handed the group over to me (maintenance)"), "\(lab.log(added.node))")
        #expect(!lab.log(added.node).contains("claim failed"), "the patient campaign won the first time")
        try etcd.expectOneHolderAtATime(watch)
    }

    @Test func killingTheEtcdLeaderCostsTheHolderNothing() async throws {
        let etcd = try EtcdLab(nodes: 3, ttl: 5)
        defer { etcd.stop() }
        try await etcd.web1HoldsSteadily()
        let watch = etcd.watch

        let leader = try #require(EtcdServer.leader(of: etcd.members), "no leader\n\(etcd.logs)")
        leader.crash()
        let crashed = ContinuousClock.now
        let rest = etcd.members.filter { $0 !== leader }
        // How long the other two take to elect a leader, asked from their namespace meanwhile.
        async let elected = offPool { Self.electionTime(of: rest, since: crashed, limit: .seconds(8)) }
        // Past one TTL and a half: a renewal stuck on the dead leader's term would have cost the tenure by then.
        let flapped = try await watch.until(.seconds(8)) { $0 != [1] }
        let election = try await elected
        try etcd.expectOneHolderAtATime(watch)
        print("etcd lab (3 agents, ttl 5s): etcd leader \(leader.address) killed → the others elected one after "
            + "\(election?.shortDescription ?? "more than 8 s"); web1 "
            + (flapped.map { "lost the address after \($0.shortDescription)" } ?? "kept the address all 8 s")
            + "; \(watch.samples) samples, \(watch.doubleHeld) with two holders")
        // At ttl 5 s a holder renews every 1.7 s and gives up 4 s after its last renewal: it is sure
        // to outlast an election of up to 2 s (measured 0.9–2.3 s). Slower, releasing is the safe answer.
        guard let election, election <= .seconds(2) else {
            print("etcd lab: the election took longer than the 2 s a holder at ttl 5 s is sure to outlast; "
                + "no flap check this run\n\(etcd.logs)")
            return
        }
        #expect(flapped == nil, "web1 kept the address all along (holders changed after \(flapped?.shortDescription ?? ""))")
        #expect(!etcd.monitor.timeline().contains { !$0.added }, "web1's address was never removed, not even briefly")
        #expect(!etcd.lab.log(1).contains("lost etcd key"), "web1 never lost its key\n\(etcd.lab.log(1))")
        let releases = etcd.lab.events(1).filter { $0["event"] as? String == "release" && ($0["term"] as? Int ?? 0) > 0 }
        #expect(releases.isEmpty, "web1 never released: \(releases)")
    }

    /// How long after `since` `members` agreed on a leader (polled every 50 ms), nil if not within `limit`.
    static func electionTime(of members: [EtcdServer], since: ContinuousClock.Instant, limit: Duration) -> Duration? {
        while ContinuousClock.now - since < limit {
            if EtcdServer.leader(of: members) != nil { return ContinuousClock.now - since }
            usleep(50_000)
        }
        return nil
    }

    @Test func fiveAgentsTheHolderCutOffFromEtcdReleasesThenAKilledHolderIsReplaced() async throws {
        let etcd = try EtcdLab(nodes: 5, ttl: 3)
        defer { etcd.stop() }
        let lab = etcd.lab
        try await etcd.web1HoldsSteadily()
        let watch = etcd.watch

        // Cut web1 off from every etcd member (its heartbeats to the other nodes still flow).
        try cutOffFromEtcd(lab, 1, true)
        let cut = Date()
        let moved = try await watch.until(.seconds(10)) { $0.count == 1 && $0 != [1] }
        try #require(moved != nil, "no other node took over\n\(etcd.logs)")
        let released = Duration.seconds(try #require(etcd.monitor.lastDelete(of: 1)).timeIntervalSince(cut))
        let next = try #require(try lab.holders().first)
        let claimed = Duration.seconds(try #require(etcd.monitor.firstAdd(after: cut, excluding: 1)).at.timeIntervalSince(cut))
        print("etcd lab (5 agents, ttl 3s): web1 cut off from etcd → address removed after "
            + "\(released.shortDescription), web\(next) holds after \(claimed.shortDescription)")
        // web1's local deadline is its last renewal's send time (at most TTL/3 before the cut, or
        // just at it) + TTL − TTL/5; the lease expires on the server no earlier than that + TTL/5.
        // That no other node held before web1's address was gone (never two holders) is the proof.
        #expect(released < etcd.ttl, "released before the lease could expire on the server")
        #expect(released < claimed)
        #expect(lab.log(1).contains("lost etcd key /floatip/lab/web"), "\(lab.log(1))")
        try cutOffFromEtcd(lab, 1, false)
        _ = try await watch.until(.seconds(1)) { _ in false }
        #expect(try lab.holders() == [next], "healed: web\(next) keeps the group")

        let failover = try await killHolder(next, etcd, watch)
        try etcd.expectOneHolderAtATime(watch)
        print("etcd lab (5 agents, ttl 3s): web\(next) killed → a standby holds after \(failover.shortDescription); "
            + "\(watch.samples) samples, \(watch.doubleHeld) with two holders")
    }

    // MARK: Helpers

    /// Kills node `node` (the holder) with SIGKILL; waits until another holds. Expects that within
    /// TTL + 1 s (with only the claim-failure backoff, a standby retries every 1 s + its claim, and
    /// the key vanishes up to TTL + 0.5 s after the holder's last renewal), the killed node's address
    /// gone first, and at least one standby told by its watch that the key went. Returns the
    /// failover time (from the monitors' timestamps).
    private func killHolder(_ node: Int, _ etcd: EtcdLab, _ watch: HolderWatch) async throws
        -> Duration
    {
        let lab = etcd.lab
        let free = "its etcd key is free again"
        func toldBefore() -> [Int] { (1...lab.hosts.count).map { lab.log($0).components(separatedBy: free).count - 1 } }
        let before = toldBefore()
        let killedAt = Date()
        lab.signal(node, SIGKILL)
        let moved = try await watch.until(etcd.ttl + .seconds(4)) { $0.count == 1 && !$0.contains(node) }
        try #require(moved != nil, "no standby took over\n\(etcd.logs)")
        // From the monitors' timestamps: when the killed node's address vanished, and the next was added.
        let added = try #require(etcd.monitor.firstAdd(after: killedAt, excluding: node))
        let failover = Duration.seconds(added.at.timeIntervalSince(killedAt))
        let gone = try #require(etcd.monitor.lastDelete(of: node)).timeIntervalSince(killedAt)
        print("etcd lab: web\(node) killed → its address gone after \(Duration.seconds(gone).shortDescription), "
            + "web\(added.node) added it after \(failover.shortDescription)")
        #expect(failover < etcd.ttl + .seconds(1), "a standby holds within TTL + 1 s of kill -9 (took \(failover))")
        #expect(.seconds(gone) < failover, "the killed holder's address (lease-bounded) vanished before the standby claimed")
        let winner = try #require(try lab.holders().first)
        let claims = lab.events(winner).filter { $0["event"] as? String == "claim" }
        if let won = claims.last, won["error"] is NSNull, let end = won["mono_ms"] as? Double,
            let took = won["took_ms"] as? Double,
            let lost = claims.dropLast().last(where: { ($0["error"] as? String)?.contains("is held by web\(node)") == true }),
            let lostAt = lost["mono_ms"] as? Double
        {
            // Informative only: the key can also expire just as a backoff (1 s) ends.
            let gap = end - took - lostAt
            print("etcd lab: web\(winner)'s campaign lost to the dead web\(node), won \(Int(gap)) ms later")
        }
        // The watch told the standbys whose campaign had lost (each logs it), whatever retried first.
        let told = zip(toldBefore(), before).enumerated().filter { $0.element.0 > $0.element.1 }.map { "web\($0.offset + 1)" }
        print("etcd lab: standbys told by their watch that the key is free: \(told)")
        #expect(!told.isEmpty, "a standby's watch saw the dead holder's key go\n\(etcd.logs)")
        return failover
    }

    /// Drops (or stops dropping) everything node `node` sends to the etcd members (nftables in its namespace).
    private func cutOffFromEtcd(_ lab: AgentLab, _ node: Int, _ on: Bool) throws {
        let namespace = lab.namespace(node)
        guard on else {
            try lab.network.exec(namespace, "nft", "delete", "table", "inet", "floatipetcd")
            return
        }
        try lab.network.exec(namespace, "nft", "add", "table", "inet", "floatipetcd")
        try lab.network.exec(
            namespace, "nft", "add", "chain", "inet", "floatipetcd", "out", "{ type filter hook output priority 0; }")
        try lab.network.exec(
            namespace, "nft", "add", "rule", "inet", "floatipetcd", "out", "ip", "daddr",
            "{ \(Self.memberAddresses.joined(separator: ", ")) }", "drop")
    }
}
