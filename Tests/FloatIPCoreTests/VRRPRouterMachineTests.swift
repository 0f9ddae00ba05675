import FloatIPCore
import Testing

/// `VRRPRouterMachine`: RFC 5798 section 6.4's timers and transitions, keepalived's preempt_delay, and
/// a small network of machines that must end with exactly one master.
@Suite struct VRRPRouterMachineTests {
    static func node(_ last: UInt8, priority: UInt8, version: UInt8 = 3, interval: Duration = .seconds(1),
                     preempt: Bool = true, delay: Duration = .zero) -> VRRPRouterMachine {
        VRRPRouterMachine(config: VRRPRouterConfig(
            version: version, vrid: 51, priority: priority, advertInterval: interval, preempt: preempt,
            preemptDelay: delay, ownAddress: .ipv4(198, 18, 0, last), addresses: [.ipv4(198, 18, 0, 100)]))
    }

    static func at(_ duration: Duration) -> Instant { .zero + duration }

    /// Sends whatever `actions` hold to every other machine at `now`; returns the claims and releases seen.
    static func deliver(_ actions: [VRRPRouterMachine.Action], from sender: Int, to nodes: inout [VRRPRouterMachine],
                        now: Instant, alive: [Bool]) {
        for case .send(let advert) in actions {
            for index in nodes.indices where index != sender && alive[index] {
                let replies = nodes[index].receive(advert, from: nodes[sender].config.ownAddress, now: now)
                deliver(replies, from: index, to: &nodes, now: now, alive: alive)
            }
        }
    }

    @Test func theTimersAreRFC5798s() {
        #expect(VRRPTimers.skew(priority: 100, interval: .seconds(1), version: 3) == .nanoseconds(609_375_000))
        #expect(VRRPTimers.masterDown(priority: 100, interval: .seconds(1), version: 3) == .nanoseconds(3_609_375_000))
        #expect(VRRPTimers.masterDown(priority: 254, interval: .milliseconds(100), version: 3) == .nanoseconds(300_781_250))
        // Version 2 (RFC 3768, keepalived): the skew is in seconds whatever the interval.
        #expect(VRRPTimers.skew(priority: 100, interval: .seconds(3), version: 2) == .nanoseconds(609_375_000))
        #expect(VRRPTimers.masterDown(priority: 100, interval: .seconds(3), version: 2) == .nanoseconds(9_609_375_000))
        #expect(VRRPTimers.skew(priority: 100, interval: .seconds(3), version: 3) == .nanoseconds(1_828_125_000))
    }

    @Test func anOwnerIsMasterAtOnceAndAnyOtherListensForTheMasterDownInterval() {
        var owner = Self.node(1, priority: 255)
        let actions = owner.start(now: .zero)
        #expect(owner.state == .master)
        #expect(actions == [.send(owner.advertisement(priority: 255)), .claim])
        var backup = Self.node(2, priority: 100)
        #expect(backup.start(now: .zero) == [])
        #expect(backup.state == .backup)
        #expect(backup.tick(now: Self.at(.nanoseconds(3_609_374_999))) == [])
        #expect(backup.tick(now: Self.at(.nanoseconds(3_609_375_000))).contains(.claim))
        #expect(backup.state == .master)
    }

    @Test func priorityZeroHandsOverAfterTheSkewTime() {
        var master = Self.node(1, priority: 200)
        var backup = Self.node(2, priority: 100)
        _ = backup.start(now: .zero)
        _ = master.start(now: .zero)
        #expect(master.tick(now: Self.at(.seconds(4))).contains(.claim))
        _ = backup.receive(master.advertisement(priority: 200), from: master.config.ownAddress, now: Self.at(.seconds(4)))
        let leaving = master.stop()
        #expect(leaving == [.send(master.advertisement(priority: 0)), .release])
        #expect(master.state == .initialize)
        for case .send(let advert) in leaving {
            _ = backup.receive(advert, from: master.config.ownAddress, now: Self.at(.seconds(5)))
        }
        // Skew = 156/256 s after the priority-0 advertisement instead of 3.61 s.
        #expect(backup.deadline == Self.at(.seconds(5)) + .nanoseconds(609_375_000))
        #expect(backup.tick(now: Self.at(.seconds(6))).contains(.claim))
    }

    @Test func aBetterBackupPreemptsAWorseMasterAndNopreemptDoesNot() {
        for preempt in [true, false] {
            var worse = Self.node(1, priority: 100)
            var better = Self.node(2, priority: 200, preempt: preempt)
            _ = better.start(now: .zero)
            var now = Instant.zero
            var claimed = false
            for _ in 0..<10 {
                now = now + .seconds(1)
                _ = better.receive(worse.advertisement(priority: 100), from: worse.config.ownAddress, now: now)
                claimed = claimed || better.tick(now: now + .milliseconds(1)).contains(.claim)
            }
            #expect(claimed == preempt, "preempt \(preempt)")
            #expect(better.state == (preempt ? .master : .backup))
            // The worse master yields to the better one's advertisement.
            if preempt {
                _ = worse.start(now: .zero)
                _ = worse.tick(now: Self.at(.seconds(5)))
                #expect(worse.state == .master)
                #expect(worse.receive(better.advertisement(priority: 200), from: better.config.ownAddress, now: now) == [.release])
                #expect(worse.state == .backup)
            }
        }
    }

    @Test func preemptDelayLetsAWorseMasterBeForThatLong() {
        var better = Self.node(2, priority: 200, delay: .seconds(5))
        _ = better.start(now: .zero)
        var takeover: Duration?
        for tenth in 1...200 where takeover == nil {
            let now = Self.at(.milliseconds(tenth * 100))
            if tenth % 10 == 0 {
                _ = better.receive(Self.node(1, priority: 100).advertisement(priority: 100), from: .ipv4(198, 18, 0, 1), now: now)
            }
            if better.tick(now: now).contains(.claim) { takeover = now - .zero }
        }
        // First heard at 1 s; accepted until 6 s; the master-down interval (3 × 1 s + 56/256 s) after the
        // last accepted advertisement at 5 s.
        #expect(takeover == .milliseconds(8300), "\(String(describing: takeover))")
    }

    /// Found by the simulator (`floatip simulate --protocol mixed --seed 470`): a backup that had heard a
    /// worse master before its own term as master preempted the next worse master at once, without
    /// its preempt delay.
    @Test func preemptDelayStartsAfreshAfterATermAsMaster() {
        var node = Self.node(2, priority: 200, delay: .seconds(5))
        let worse = Self.node(1, priority: 100).advertisement(priority: 100)
        _ = node.start(now: .zero)
        _ = node.receive(worse, from: .ipv4(198, 18, 0, 1), now: Self.at(.seconds(1)))
        // The worse master goes silent: master at the master-down interval; then a better one takes over.
        #expect(node.tick(now: Self.at(.seconds(5))).contains(.claim))
        let better = Self.node(3, priority: 250).advertisement(priority: 250)
        #expect(node.receive(better, from: .ipv4(198, 18, 0, 3), now: Self.at(.seconds(6))) == [.release])
        // The worse master is back: heard first now, so accepted for the preempt delay.
        _ = node.receive(worse, from: .ipv4(198, 18, 0, 1), now: Self.at(.seconds(7)))
        #expect(node.deadline == Self.at(.seconds(7)) + VRRPTimers.masterDown(priority: 200, interval: .seconds(1), version: 3))
    }

    @Test func equalPrioritiesTheHigherAddressStaysMaster() {
        var low = Self.node(1, priority: 150)
        var high = Self.node(2, priority: 150)
        _ = low.start(now: .zero)
        _ = high.start(now: .zero)
        _ = low.tick(now: Self.at(.seconds(4)))
        _ = high.tick(now: Self.at(.seconds(4)))
        #expect(low.state == .master && high.state == .master)
        #expect(high.receive(low.advertisement(priority: 150), from: low.config.ownAddress, now: Self.at(.seconds(4))) == [])
        #expect(low.receive(high.advertisement(priority: 150), from: high.config.ownAddress, now: Self.at(.seconds(4))) == [.release])
        // A backup of equal priority defers to the master whatever the addresses.
        #expect(high.state == .master && low.state == .backup)
    }

    @Test func version3LearnsTheMastersIntervalAndVersion2KeepsItsOwn() {
        for version: UInt8 in [2, 3] {
            var backup = Self.node(2, priority: 100, version: version)
            _ = backup.start(now: .zero)
            var advert = Self.node(1, priority: 200, version: version).advertisement(priority: 200)
            advert.interval = version == 3 ? 20 : 3
            _ = backup.receive(advert, from: .ipv4(198, 18, 0, 1), now: Self.at(.seconds(1)))
            let interval: Duration = version == 3 ? .milliseconds(200) : .seconds(1)
            #expect(backup.masterAdvertInterval == interval)
            #expect(backup.deadline == Self.at(.seconds(1)) + VRRPTimers.masterDown(priority: 100, interval: interval, version: version))
        }
    }

    @Test func failingWeightsLowerTheAdvertisedPriorityWithinOneTo254() {
        var node = Self.node(1, priority: 100)
        node.setWeight(-30)
        #expect(node.effectivePriority == 70)
        node.setWeight(-300)
        #expect(node.effectivePriority == 1)
        node.setWeight(500)
        #expect(node.effectivePriority == 254)
        var owner = Self.node(2, priority: 255)
        owner.setWeight(-50)
        #expect(owner.effectivePriority == 255)
    }

    /// Three machines on a lossless network, killed and started at random: after every quiet spell of
    /// a master-down interval and a little, exactly one master, and it is the best live node.
    @Test func aRandomClusterSettlesOnTheBestLiveNode() {
        var rng = SplitMix64(seed: 0x7272)
        for round in 0..<300 {
            let priorities: [UInt8] = [UInt8(rng.next() % 254 + 1), UInt8(rng.next() % 254 + 1), UInt8(rng.next() % 254 + 1)]
            var nodes = priorities.enumerated().map { Self.node(UInt8($0.offset + 1), priority: $0.element, interval: .milliseconds(100)) }
            var alive = [false, false, false]
            var now = Instant.zero
            for _ in 0..<4 {
                let index = Int(rng.next() % 3)
                if alive[index] {
                    let actions = rng.next() % 2 == 0 ? nodes[index].stop() : []
                    if actions.isEmpty { nodes[index] = Self.node(UInt8(index + 1), priority: priorities[index], interval: .milliseconds(100)) }
                    Self.deliver(actions, from: index, to: &nodes, now: now, alive: alive)
                    alive[index] = false
                } else {
                    alive[index] = true
                    Self.deliver(nodes[index].start(now: now), from: index, to: &nodes, now: now, alive: alive)
                }
                for _ in 0..<Int(rng.next() % 60 + 1) {
                    now = now + .milliseconds(10)
                    for i in nodes.indices where alive[i] {
                        Self.deliver(nodes[i].tick(now: now), from: i, to: &nodes, now: now, alive: alive)
                    }
                }
            }
            for _ in 0..<200 {
                now = now + .milliseconds(5)
                for i in nodes.indices where alive[i] {
                    Self.deliver(nodes[i].tick(now: now), from: i, to: &nodes, now: now, alive: alive)
                }
            }
            let masters = nodes.indices.filter { alive[$0] && nodes[$0].state == .master }
            guard alive.contains(true) else { continue }
            #expect(masters.count == 1, "round \(round): masters \(masters), priorities \(priorities), alive \(alive)")
            // The best priority holds (of equal ones, whichever was master first: backups defer to it).
            let best = nodes.indices.filter { alive[$0] }.map { priorities[$0] }.max()
            #expect(masters.first.map { priorities[$0] } == best, "round \(round): master \(masters), priorities \(priorities), alive \(alive)")
        }
    }
}
