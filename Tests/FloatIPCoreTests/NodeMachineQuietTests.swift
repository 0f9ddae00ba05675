import Testing

@testable import FloatIPCore

/// Quiet standbys (docs/decision.md): real NodeMachines exchanging real datagrams, time passed by
/// hand in 1 ms steps, each node woken at its own `nextWakeup`.
@Suite struct NodeMachineQuietTests {
    static let secret = Array("quiet standby test secret".utf8)
    /// 100 ms × 3: a quiet standby heartbeats every 10 intervals (1 s).
    static let timers = Timers(interval: .milliseconds(100), deadAfter: 3, preemptDelay: .seconds(1))

    static func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }

    /// Nodes web1 (priority 200), web2 (100), web3 (50) on one lossless network.
    struct Cluster {
        var nodes: [NodeMachine]
        var now = Instant.zero
        /// Every heartbeat sent: sender, when, and the spacing it said.
        var sent: [(node: Int, at: Instant, spacing: Int?)] = []
        var down: Set<Int> = []
        /// Datagrams from these senders are not delivered (a peer of an earlier release drops kind 2).
        var mute: Set<Int> = []

        init(count: Int = 3, timers: Timers = NodeMachineQuietTests.timers, priorities: [Int] = [200, 100, 50]) {
            let names = (1...count).map { "web\($0)" }
            nodes = names.indices.map { index in
                let config = ClusterConfig(
                    cluster: "web", node: NodeConfig(name: names[index], address: .ipv4(198, 18, 0, UInt8(index + 1))),
                    peers: names.indices.filter { $0 != index }.map {
                        PeerConfig(name: names[$0], address: .ipv4(198, 18, 0, UInt8($0 + 1)))
                    },
                    secretFile: "/etc/floatip/secret", timers: timers,
                    groups: [GroupConfig(name: "web", addresses: [IPPrefix(address: .ipv4(198, 18, 0, 100), length: 32)],
                                         interface: "eth0", priority: priorities[index])],
                    checks: [], api: APIConfig())
                return NodeMachine(config: config, secret: NodeMachineQuietTests.secret, bootID: 1, now: .zero)
            }
        }

        mutating func handle(_ output: NodeOutput, from index: Int) {
            for action in output.actions {
                if case .claim(let epoch) = action.intent {
                    handle(nodes[index].claimFinished(group: action.group, epoch: epoch, error: nil, now: now), from: index)
                }
            }
            guard let datagram = output.datagram, let heartbeat = output.heartbeat else { return }
            sent.append((index, now, heartbeat.spacing))
            guard !mute.contains(index) else { return }
            for peer in nodes.indices where peer != index && !down.contains(peer) {
                handle(nodes[peer].receive(datagram, now: now), from: peer)
            }
        }

        /// Runs until `end`, waking every live node when its `nextWakeup` comes.
        mutating func run(until end: Instant) {
            while now <= end {
                for index in nodes.indices where !down.contains(index) && nodes[index].nextWakeup(now: now) <= now {
                    handle(nodes[index].tick(now: now), from: index)
                }
                now = now + .milliseconds(1)
            }
        }

        func role(_ index: Int) -> Role? { nodes[index].engine("web")?.role }

        /// The heartbeats `index` sent in [from, to).
        func sent(by index: Int, from: Instant, to: Instant) -> [(at: Instant, spacing: Int?)] {
            sent.filter { $0.node == index && $0.at >= from && $0.at < to }.map { ($0.at, $0.spacing) }
        }
    }

    @Test func standbysFollowingAnActiveHolderHeartbeatEveryTenIntervalsInStep() {
        var cluster = Cluster()
        cluster.run(until: Self.ms(5_000))
        #expect(cluster.role(0) == .holder && cluster.role(1) == .standby && cluster.role(2) == .standby)
        let window = (Self.ms(2_000), Self.ms(5_000))
        let holder = cluster.sent(by: 0, from: window.0, to: window.1)
        #expect(holder.count >= 29 && holder.count <= 31, "the holder stays at full rate: \(holder.count)")
        #expect(holder.allSatisfy { $0.spacing == 1 })
        for standby in [1, 2] {
            let beats = cluster.sent(by: standby, from: window.0, to: window.1)
            #expect(beats.count >= 3 && beats.count <= 4, "web\(standby + 1) sent \(beats.count) in 3 s")
            #expect(beats.allSatisfy { $0.spacing == 10 })
            // In step: each goes out in the wake-up of a holder heartbeat, not on a timer of its own.
            #expect(beats.allSatisfy { beat in holder.contains { $0.at == beat.at } })
        }
        // Everyone counts everyone alive, and the holder knows a standby's news at most 1 s old.
        #expect(cluster.nodes[0].aliveUntil(peer: "web2").map { $0 > cluster.now } == true)
        #expect(cluster.nodes[2].aliveUntil(peer: "web2").map { $0 > cluster.now } == true)
    }

    @Test func theHolderCountsAQuietStandbyAliveForItsOwnBoundAndDeadAfter() {
        var cluster = Cluster(count: 2)
        cluster.run(until: Self.ms(3_000))
        let last = cluster.sent.last { $0.node == 1 }!
        #expect(last.spacing == 10)
        cluster.down.insert(1)
        // Silent for more than a dead interval, less than dead + 2 periods: still alive.
        cluster.run(until: last.at + .milliseconds(1_500))
        #expect(cluster.nodes[0].aliveUntil(peer: "web2") == last.at + .milliseconds(300 + 2_000))
        #expect(cluster.nodes[0].aliveUntil(peer: "web2")! > cluster.now)
        cluster.run(until: last.at + .milliseconds(2_301))
        #expect(cluster.nodes[0].aliveUntil(peer: "web2")! <= cluster.now)
    }

    @Test func aChangeIsSentAtOnceAtFullRate() {
        var cluster = Cluster()
        cluster.run(until: Self.ms(3_000))
        cluster.nodes[2].setMaintenance(true)
        let at = cluster.now
        cluster.handle(cluster.nodes[2].tick(now: at), from: 2)
        cluster.run(until: at + .milliseconds(1))
        let first = cluster.sent(by: 2, from: at, to: cluster.now)
        #expect(first.count == 1 && first.first?.at == at, "a changed advert goes at once")
        #expect(cluster.nodes[0].peerViews("web").first { $0.name == "web3" }?.advert.maintenance == true)
    }

    @Test func aHolderInMaintenanceHandsOverAndEveryoneGoesBackToFullRate() {
        var cluster = Cluster()
        cluster.run(until: Self.ms(3_000))
        cluster.nodes[0].setMaintenance(true)
        let at = cluster.now
        cluster.handle(cluster.nodes[0].tick(now: at), from: 0)
        cluster.run(until: at + .milliseconds(500))
        #expect(cluster.role(1) == .holder, "the best standby took over at once (make-before-break)")
        let web2 = cluster.sent(by: 1, from: at, to: at + .milliseconds(250))
        #expect(web2.first.map { $0.at - at < .milliseconds(5) } == true, "the target answered the handover at once")
        #expect(web2.allSatisfy { $0.spacing == 1 })
        // web3 left quiet while the holder was leaving; once web2 holds alone, web3 is quiet again.
        #expect(cluster.sent(by: 2, from: at, to: at + .milliseconds(50)).contains { $0.spacing == 1 })
        cluster.run(until: at + .milliseconds(2_500))
        #expect(cluster.sent(by: 2, from: at + .milliseconds(1_500), to: cluster.now).allSatisfy { $0.spacing == 10 })
    }

    @Test func aBetterRankedStandbyWaitingToFailBackSpeaksAtFullRate() {
        var cluster = Cluster(count: 2)
        cluster.run(until: Self.ms(2_000))
        cluster.down.insert(0)
        cluster.run(until: Self.ms(3_000))
        #expect(cluster.role(1) == .holder)
        // web1 restarts: while it waits its preempt_delay (1 s) it heartbeats every interval.
        cluster.nodes[0] = NodeMachine(
            config: cluster.nodes[0].config, secret: Self.secret, bootID: 2, now: cluster.now)
        cluster.down.remove(0)
        let back = cluster.now
        cluster.run(until: back + .milliseconds(1_200))
        let waiting = cluster.sent(by: 0, from: back + .milliseconds(400), to: back + .milliseconds(1_200))
        #expect(waiting.count >= 7 && waiting.allSatisfy { $0.spacing == 1 }, "\(waiting.count) heartbeats")
        cluster.run(until: back + .milliseconds(2_500))
        #expect(cluster.role(0) == .holder && cluster.role(1) == .standby)
    }

    @Test func aPeerOfAnEarlierReleaseGetsKindOneEveryInterval() throws {
        var cluster = Cluster(count: 2)
        cluster.run(until: Self.ms(2_000))
        #expect(cluster.sent.last { $0.node == 1 }?.spacing == 10)
        // web1 sends a kind-1 heartbeat (as an earlier release does): web2 answers in kind 1, every interval.
        let term = try #require(cluster.nodes[0].engine("web")?.term)
        let old = Heartbeat(
            cluster: "web", sender: "web1", bootID: 1, sequence: 100_000, interval: Self.timers.interval,
            groups: [GroupAdvert(group: "web", role: .holder, priority: 200, active: true, term: term)])
        let datagram = try HeartbeatCodec(secret: Self.secret, cluster: "web").encode(old)
        let output = cluster.nodes[1].receive(datagram, now: cluster.now)
        #expect(output.heartbeat?.spacing == nil, "answered at once, in kind 1")
        #expect(cluster.nodes[1].heartbeatSpacing(now: cluster.now) == nil)
    }

    @Test func quietStandbyOffKeepsEveryIntervalAndTheSpacingFollowsTheTimers() {
        var timers = Self.timers
        timers.quietStandby = false
        var cluster = Cluster(count: 2, timers: timers)
        cluster.run(until: Self.ms(3_000))
        let beats = cluster.sent(by: 1, from: Self.ms(2_000), to: Self.ms(3_000))
        #expect(beats.count >= 9 && beats.allSatisfy { $0.spacing == 1 })
        #expect(Timers().quietSpacing == 50)
        #expect(Timers(interval: .seconds(1), deadAfter: 3).quietSpacing == 3)
        #expect(Timers(interval: .milliseconds(100), deadAfter: 3).quietSpacing == 10)
        #expect(Timers(interval: .seconds(2), deadAfter: 3).quietSpacing == 3)
    }

    @Test func aQuietStandbyNoticesAStallAsSoonAsAFullRateOneWould() {
        var cluster = Cluster(count: 2)
        cluster.run(until: Self.ms(2_000))
        #expect(cluster.sent.last { $0.node == 1 }?.spacing == 10)
        // web2 is stopped for 0.5 dead + 1.1 intervals + 10 ms after its last input: the next input is a stall.
        let stoppedAt = cluster.now - .milliseconds(1)
        var web2 = cluster.nodes[1]
        let output = web2.tick(now: stoppedAt + .milliseconds(150 + 110 + 10))
        #expect(output.stall != nil)
    }
}
