@testable import FloatIPLab
import FloatIPCore
import Testing

/// The chaos judge's etcd-mode rules (`ChaosEtcdRules`) on synthetic facts: no two holders ever
/// (where the peer-only rules allow an overlap, a partition or a stalled holder), and outage
/// bounds that follow the lease's `ttl`.
@Suite struct ChaosEtcdJudgeTests {
    let base = ChaosJudgeTests()
    let etcd = ChaosEtcdRules(ttl: .seconds(5), members: 3)
    var rules: ChaosRules { ChaosRules(timers: Timers(), etcd: etcd) }
    var judge: ChaosJudge { ChaosJudge(rules: rules) }

    func broken(_ facts: ChaosFacts, by judge: ChaosJudge) -> [String] {
        var facts = facts
        if facts.requests.isEmpty { facts.requests = base.requests(30, silent: 0..<0) }
        return judge.violations(facts).map(\.rule)
    }

    @Test func theBoundsFollowTheLeaseTTL() {
        #expect(etcd.leaseFailover == .milliseconds(6300), "ttl + 1 s + 300 ms")
        #expect(etcd.handover(announced: rules.announcedOutage) == .milliseconds(340) + .seconds(5) / 3)
        #expect(etcd.memberKillOutage(down: .seconds(3), membersDown: 1) == .seconds(3) + .seconds(1) + .milliseconds(6300),
                "with its quorum the time down does not count")
        #expect(etcd.memberKillOutage(down: .seconds(3), membersDown: 2) == .seconds(6) + .seconds(1) + .milliseconds(6300))
        #expect(rules.quietGap == ChaosRules().quietGap + .seconds(5))
        #expect(rules.makeBeforeBreakOverlap == .zero)
        #expect(rules.descriptorGrowth == ChaosRules().descriptorGrowth + 3, "a connection to each member")
    }

    /// A 30 ms make-before-break overlap passes without etcd; under etcd the move is break-before-make.
    @Test func anyOverlapIsAViolationUnderEtcd() {
        let overlap = base.samples(3) { $0 < 1000 ? [1] : $0 < 1030 ? [1, 2] : [2] }
        #expect(broken(ChaosFacts(nodes: 2, events: [], samples: overlap), by: base.judge) == [])
        #expect(broken(ChaosFacts(nodes: 2, events: [], samples: overlap), by: judge) == ["two-holders"])
        let moved = base.samples(3) { $0 < 1000 ? [1] : $0 < 1030 ? [] : [2] }
        #expect(broken(ChaosFacts(nodes: 2, events: [], samples: moved), by: judge) == [])
    }

    /// A partition allows two holders without etcd; under etcd, etcd decides, so it does not.
    @Test func aPartitionExcusesNothingUnderEtcd() {
        let partition = base.event(.partition, node: 2, holder: false, 1000, 2000)
        let split = base.samples(4) { (1300..<1800).contains($0) ? [1, 2] : [1] }
        #expect(broken(ChaosFacts(nodes: 2, events: [partition], samples: split), by: base.judge) == [])
        #expect(broken(ChaosFacts(nodes: 2, events: [partition], samples: split), by: judge) == ["two-holders"])
    }

    /// A stalled or killed holder's address is bounded by its lease under etcd: it must be gone
    /// before another node holds, where the peer-only rules excuse it for the address lifetime.
    @Test func aStalledOrKilledHolderIsNotExcusedUnderEtcd() {
        for kind in [ChaosFault.Kind.stall, .kill] {
            let fault = base.event(kind, 1000, 3000)
            let kept = base.samples(8) { $0 < 1300 ? [1] : $0 < 3100 ? [1, 2] : [2] }
            #expect(broken(ChaosFacts(nodes: 2, events: [fault], samples: kept), by: base.judge) == [], "\(kind)")
            #expect(broken(ChaosFacts(nodes: 2, events: [fault], samples: kept), by: judge) == ["two-holders"], "\(kind)")
            let fenced = base.samples(8) { $0 < 2500 ? [1] : $0 < 5000 ? [] : [2] }
            #expect(broken(ChaosFacts(nodes: 2, events: [fault], samples: fenced), by: judge) == [], "\(kind)")
        }
    }

    /// A killed holder: the peer-only bound (640 ms) would fail a lease failover; the etcd bound
    /// (ttl + 1.3 s) takes it and fails one that lasts longer.
    @Test func aKilledHoldersOutageIsTheLeases() {
        let kill = base.event(.kill, 1000, 2000, settled: 12_000)
        let failover = ChaosFacts(nodes: 2, events: [kill], samples: [], requests: base.requests(13, silent: 1000..<6000))
        #expect(broken(failover, by: base.judge) == ["outage"])
        #expect(broken(failover, by: judge) == [])
        let stuck = ChaosFacts(nodes: 2, events: [kill], samples: [], requests: base.requests(13, silent: 1000..<8000))
        #expect(broken(stuck, by: judge) == ["outage"])
        // A planned move is break-before-make: a short gap, not a lease's worth.
        let maintenance = base.event(.maintenance, 1000, 2000, settled: 12_000)
        #expect(broken(ChaosFacts(nodes: 2, events: [maintenance], samples: [], requests: base.requests(13, silent: 1000..<1500)),
                       by: judge) == [])
        #expect(broken(ChaosFacts(nodes: 2, events: [maintenance], samples: [], requests: base.requests(13, silent: 1000..<3500)),
                       by: judge) == ["outage"])
    }

    /// Two members of three down for 4 s: nobody can claim meanwhile, so the time without quorum
    /// is part of the bound; one member down is not.
    @Test func etcdMemberKillsAreBoundByTheQuorumAndTheLease() {
        var noQuorum = base.event(.etcdKill, holder: false, 1000, 5000, settled: 25_000)
        noQuorum.membersDown = 2
        let long = ChaosFacts(nodes: 2, events: [noQuorum], samples: [], requests: base.requests(26, silent: 3000..<15_000))
        #expect(broken(long, by: judge) == [], "12 s without answers, bound 4 s + 10.3 s")
        var oneDown = noQuorum
        oneDown.membersDown = 1
        #expect(broken(ChaosFacts(nodes: 2, events: [oneDown], samples: [], requests: long.requests), by: judge) == ["outage"])
    }
}
