import Testing
@testable import FloatIPCore

/// One named test per rule of docs/decision.md ("Rules"), driven through `GroupEngine.step`
/// with no doubles: time and peers are plain inputs.
@Suite struct GroupEngineTests {
    static let timers = Timers(
        interval: .milliseconds(20), deadAfter: 15, preemptDelay: .seconds(1), handoverTimeout: .seconds(1))

    func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }

    func engine(_ node: String = "web2", preempt: Bool = true, exclusive: Bool = false) -> GroupEngine {
        GroupEngine(group: "web", node: node, preempt: preempt, timers: Self.timers, startedAt: .zero, exclusive: exclusive)
    }

    func peer(
        _ name: String, _ role: Role, priority: Int = 100, heardAt: Int64, active: Bool = true,
        maintenance: Bool = false, healthy: Bool = true, sticky: Bool = false, handover: Handover? = nil,
        term: UInt64 = 1
    ) -> PeerView {
        PeerView(
            name: name, heardAt: ms(heardAt),
            advert: GroupAdvert(
                group: "web", role: role, priority: priority, healthy: healthy, maintenance: maintenance,
                active: role == .holder && active, sticky: sticky, handover: handover, term: term))
    }

    let healthy = LocalCondition(priority: 100)

    /// Brings an engine to `holder` at 300 ms with no peers and marks its claim complete.
    func holdingEngine(_ node: String = "web2", priority: Int = 100, exclusive: Bool = false) -> GroupEngine {
        var engine = engine(node, exclusive: exclusive)
        _ = engine.step(local: LocalCondition(priority: priority), peers: [], now: ms(300))
        engine.claimSucceeded(epoch: engine.term)
        #expect(engine.role == .holder && engine.active)
        return engine
    }

    // MARK: Rule 6: start-up

    @Test func startupNeverClaimsDuringListenAndReleasesLeftovers() {
        var engine = engine()
        let first = engine.step(local: healthy, peers: [], now: ms(0))
        #expect(first.role == .starting)
        #expect(first.intents == [.release(epoch: 0)])
        #expect(engine.step(local: healthy, peers: [], now: ms(299)).role == .starting)
        let claimed = engine.step(local: healthy, peers: [], now: ms(300))
        #expect(claimed.role == .holder)
        #expect(claimed.intents == [.claim(epoch: 1), .notify(from: .starting, to: .holder)])
        #expect(claimed.reason == "no holder; I rank first among the healthy nodes")
    }

    @Test func startingNodeDefersToLiveHolder() {
        var engine = engine("web1")
        let holder = peer("web2", .holder, priority: 50, heardAt: 290)
        let decision = engine.step(local: LocalCondition(priority: 200), peers: [holder], now: ms(300))
        #expect(decision.role == .standby)
        #expect(decision.intents == [.release(epoch: 0), .notify(from: .starting, to: .standby)])
    }

    // MARK: Rule 2: failover

    @Test func failoverWhenHolderSilentForDeadInterval() {
        var engine = engine()
        let holder = peer("web1", .holder, priority: 200, heardAt: 1_000)
        #expect(engine.step(local: healthy, peers: [holder], now: ms(1_000)).role == .standby)
        #expect(engine.step(local: healthy, peers: [holder], now: ms(1_299)).role == .standby)
        #expect(engine.nextDeadline(peers: [holder], now: ms(1_299)) == ms(1_300))
        let decision = engine.step(local: healthy, peers: [holder], now: ms(1_312))
        #expect(decision.role == .holder)
        #expect(decision.reason == "holder web1 silent for 312 ms (dead after 300 ms); I rank next")
        #expect(decision.intents.contains(.claim(epoch: 2)))
    }

    @Test func takeoverAtOnceWhenHolderReportsFault() {
        var engine = engine()
        _ = engine.step(local: healthy, peers: [peer("web1", .holder, priority: 200, heardAt: 990)], now: ms(1_000))
        let faulted = peer("web1", .fault, priority: 200, heardAt: 1_001, healthy: false)
        let decision = engine.step(local: healthy, peers: [faulted], now: ms(1_001))
        #expect(decision.role == .holder)
        #expect(decision.reason == "holder web1 reports fault; I rank next")
    }

    @Test func takeoverAtOnceWhenHolderHandsOverForMaintenance() {
        var engine = engine()
        let leaving = peer(
            "web1", .holder, priority: 200, heardAt: 1_000, maintenance: true,
            handover: Handover(target: "web2", sticky: false))
        let decision = engine.step(local: healthy, peers: [leaving], now: ms(1_000))
        #expect(decision.role == .holder)
        #expect(decision.reason == "web1 handed the group over to me (maintenance)")
        #expect(engine.sticky == false)
    }

    @Test func lowerRankedStandbyWaitsForBetterRankedCandidate() {
        var engine = engine("web3")
        let better = peer("web2", .standby, priority: 150, heardAt: 990)
        let decision = engine.step(local: healthy, peers: [better], now: ms(1_000))
        #expect(decision.role == .standby)
        #expect(decision.reason == "no holder; web2 ranks higher and takes it")
    }

    @Test func deadBetterRankedPeerDoesNotBlockClaim() {
        var engine = engine("web3")
        let silent = peer("web2", .standby, priority: 150, heardAt: 100)
        #expect(engine.step(local: healthy, peers: [silent], now: ms(1_000)).role == .holder)
    }

    @Test func equalPriorityRanksByName() {
        var engine = engine("web2")
        let peer = peer("web1", .standby, priority: 100, heardAt: 990)
        #expect(engine.step(local: healthy, peers: [peer], now: ms(1_000)).role == .standby)
    }

    // MARK: Rule 1: only while healthy and not in maintenance

    @Test func faultReleasesAtOnce() {
        var engine = holdingEngine()
        let sick = LocalCondition(healthy: false, faultReason: "required check nginx failing", priority: 100)
        let decision = engine.step(local: sick, peers: [], now: ms(400))
        #expect(decision.role == .fault)
        #expect(decision.intents == [.release(epoch: 1), .notify(from: .holder, to: .fault)])
        #expect(decision.reason == "required check nginx failing; released")
    }

    /// A holder cut off from the others (its link check fails) goes to fault and hears nobody; the peer takes over
    /// meanwhile, unheard. Recovering, the node must not claim over a peer it only heard nothing
    /// from because it was cut off: it listens for one dead interval first.
    @Test func afterAFaultSilentPeersAreHeardOutBeforeAnyClaim() {
        var engine = holdingEngine("web1", priority: 200)
        let sick = LocalCondition(healthy: false, faultReason: "required check link failing", priority: 200)
        let other = peer("web2", .standby, priority: 100, heardAt: 390)
        #expect(engine.step(local: sick, peers: [other], now: ms(400)).role == .fault)
        // Back 1 s later; web2 (which took over meanwhile) has not been heard since 390 ms.
        let back = engine.step(local: LocalCondition(priority: 200), peers: [other], now: ms(1_400))
        #expect(back.role == .standby)
        #expect(back.intents.allSatisfy { if case .claim = $0 { false } else { true } })
        #expect(back.reason.hasPrefix("recovered from fault: listening for 300 ms"), "\(back.reason)")
        #expect(engine.nextDeadline(peers: [other], now: ms(1_400)) == ms(1_700))
        // web2 is heard holding: the failback rule applies (preempt_delay), not an instant claim.
        let holder = peer("web2", .holder, priority: 100, heardAt: 1_420, term: 2)
        let heard = engine.step(local: LocalCondition(priority: 200), peers: [holder], now: ms(1_420))
        #expect(heard.role == .standby)
        #expect(heard.reason == "web2 holds; I rank higher and fail back after 1 s healthy")
    }

    @Test func afterAFaultANodeClaimsOnceItHasListenedOneDeadInterval() {
        var engine = holdingEngine("web1", priority: 200)
        let sick = LocalCondition(healthy: false, faultReason: "required check link failing", priority: 200)
        let other = peer("web2", .standby, priority: 100, heardAt: 390)
        _ = engine.step(local: sick, peers: [other], now: ms(400))
        #expect(engine.step(local: LocalCondition(priority: 200), peers: [other], now: ms(1_400)).role == .standby)
        #expect(engine.step(local: LocalCondition(priority: 200), peers: [other], now: ms(1_699)).role == .standby)
        let claimed = engine.step(local: LocalCondition(priority: 200), peers: [other], now: ms(1_700))
        #expect(claimed.role == .holder)
    }

    @Test func maintenanceWithoutPeerReleases() {
        var engine = holdingEngine()
        let decision = engine.step(local: LocalCondition(priority: 100, maintenance: true), peers: [], now: ms(400))
        #expect(decision.role == .maintenance)
        #expect(decision.reason == "maintenance: no healthy peer to take over; released")
    }

    // MARK: Rule 3: make-before-break

    @Test func maintenanceHandsOverMakeBeforeBreak() {
        var engine = holdingEngine()
        let standby = peer("web1", .standby, priority: 50, heardAt: 400)
        let inMaintenance = LocalCondition(priority: 100, maintenance: true)
        let first = engine.step(local: inMaintenance, peers: [standby], now: ms(400))
        #expect(first.role == .holder)
        #expect(engine.advert(local: inMaintenance).handover == Handover(target: "web1", sticky: false))
        let claiming = peer("web1", .holder, priority: 50, heardAt: 405, active: false)
        #expect(engine.step(local: inMaintenance, peers: [claiming], now: ms(405)).role == .holder)
        let holding = peer("web1", .holder, priority: 50, heardAt: 410, active: true)
        let done = engine.step(local: inMaintenance, peers: [holding], now: ms(410))
        #expect(done.role == .maintenance)
        #expect(done.intents.contains(.release(epoch: 1)))
        #expect(done.reason == "maintenance: handed over to web1")
    }

    @Test func maintenanceReleasesAfterHandoverTimeout() {
        var engine = holdingEngine()
        let inMaintenance = LocalCondition(priority: 100, maintenance: true)
        _ = engine.step(local: inMaintenance, peers: [peer("web1", .standby, heardAt: 400)], now: ms(400))
        let decision = engine.step(local: inMaintenance, peers: [peer("web1", .standby, heardAt: 1_390)], now: ms(1_400))
        #expect(decision.role == .maintenance)
        #expect(decision.reason == "maintenance: web1 did not take over within 1 s; released")
    }

    @Test func switchoverIsMakeBeforeBreakAndSticky() throws {
        var holder = holdingEngine("web1", priority: 200)
        let standby = peer("web2", .standby, priority: 100, heardAt: 400)
        let target = try holder.startSwitchover(to: nil, peers: [standby], now: ms(400))
        #expect(target == "web2")
        let local = LocalCondition(priority: 200)
        #expect(holder.step(local: local, peers: [standby], now: ms(401)).role == .holder)
        let advert = holder.advert(local: local)
        #expect(advert.handover == Handover(target: "web2", sticky: true))

        var taker = engine("web2")
        let giver = PeerView(name: "web1", heardAt: ms(401), advert: advert)
        let taken = taker.step(local: healthy, peers: [giver], now: ms(401))
        #expect(taken.role == .holder)
        #expect(taken.reason == "web1 handed the group over to me (switchover)")
        #expect(taker.advert(local: healthy).active == false)
        // web1 waits for the claim to complete before releasing.
        let claiming = PeerView(name: "web2", heardAt: ms(402), advert: taker.advert(local: healthy))
        #expect(holder.step(local: local, peers: [claiming], now: ms(402)).role == .holder)
        taker.claimSucceeded(epoch: taker.term)
        let active = PeerView(name: "web2", heardAt: ms(403), advert: taker.advert(local: healthy))
        #expect(active.advert.sticky)
        let released = holder.step(local: local, peers: [active], now: ms(403))
        #expect(released.role == .standby)
        #expect(released.reason == "switchover: handed over to web2")
        // Sticky: web1 ranks higher but does not take the group back.
        let later = PeerView(name: "web2", heardAt: ms(5_000), advert: taker.advert(local: healthy))
        let decision = holder.step(local: local, peers: [later], now: ms(5_000))
        #expect(decision.role == .standby)
        #expect(decision.reason == "web2 holds, placed there by a switchover; I do not preempt it")
    }

    @Test func switchoverAbandonedWhenTargetDoesNotClaim() throws {
        var holder = holdingEngine("web1", priority: 200)
        try holder.startSwitchover(to: "web2", peers: [peer("web2", .standby, heardAt: 400)], now: ms(400))
        let decision = holder.step(local: LocalCondition(priority: 200), peers: [peer("web2", .standby, heardAt: 1_390)], now: ms(1_400))
        #expect(decision.role == .holder)
        #expect(decision.reason == "switchover to web2 abandoned: web2 did not take over within 1 s; still holding")
        #expect(holder.handover == nil)
    }

    @Test func switchoverRefusesBadTargets() {
        var standbyEngine = engine()
        #expect(throws: GroupEngine.SwitchoverError.notHolder(group: "web", holder: "web1")) {
            try standbyEngine.startSwitchover(to: nil, peers: [peer("web1", .holder, heardAt: 0)], now: ms(10))
        }
        var holder = holdingEngine("web1")
        #expect(throws: GroupEngine.SwitchoverError.noEligiblePeer(group: "web")) {
            try holder.startSwitchover(to: nil, peers: [], now: ms(400))
        }
        #expect(throws: GroupEngine.SwitchoverError.unknownTarget("web9")) {
            try holder.startSwitchover(to: "web9", peers: [], now: ms(400))
        }
        #expect(throws: GroupEngine.SwitchoverError.targetNotEligible("web2")) {
            try holder.startSwitchover(to: "web2", peers: [peer("web2", .fault, heardAt: 390, healthy: false)], now: ms(400))
        }
    }

    // MARK: Rule 4: failback

    @Test func failbackWaitsForPreemptDelay() {
        var engine = engine("web1")
        let local = LocalCondition(priority: 200)
        let holder = { (at: Int64) in self.peer("web2", .holder, priority: 100, heardAt: at) }
        #expect(engine.step(local: local, peers: [holder(290)], now: ms(300)).role == .standby)
        let waiting = engine.step(local: local, peers: [holder(1_290)], now: ms(1_299))
        #expect(waiting.role == .standby)
        #expect(waiting.reason == "web2 holds; I rank higher and fail back after 1 s healthy")
        #expect(engine.nextDeadline(peers: [holder(1_290)], now: ms(1_299)) == ms(1_300))
        let back = engine.step(local: local, peers: [holder(1_295)], now: ms(1_300))
        #expect(back.role == .holder)
        #expect(back.reason == "failback: I rank above web2 and have been healthy for 1 s")
    }

    @Test func preemptOffKeepsCurrentHolder() {
        var engine = engine("web1", preempt: false)
        let local = LocalCondition(priority: 200)
        let decision = engine.step(local: local, peers: [peer("web2", .holder, heardAt: 9_990)], now: ms(10_000))
        #expect(decision.role == .standby)
        #expect(decision.reason == "web2 holds; I rank higher but preempt is off")
    }

    @Test func failbackIsMakeBeforeBreakOnTheOldHolder() {
        var old = holdingEngine("web2")
        let claiming = peer("web1", .holder, priority: 200, heardAt: 500, active: false, term: 2)
        let waiting = old.step(local: healthy, peers: [claiming], now: ms(500))
        #expect(waiting.role == .holder)
        #expect(waiting.reason == "web1 ranks higher and is claiming; releasing once it holds")
        let holding = peer("web1", .holder, priority: 200, heardAt: 505, active: true, term: 2)
        let released = old.step(local: healthy, peers: [holding], now: ms(505))
        #expect(released.role == .standby)
        #expect(released.reason == "web1 also holds and ranks higher (priority 200 vs my 100); released")
    }

    // MARK: Rule 5: split brain

    @Test func splitBrainWinnerKeepsAndAnnouncesAgain() {
        var winner = holdingEngine("web1", priority: 200)
        let local = LocalCondition(priority: 200)
        let loser = peer("web2", .holder, priority: 100, heardAt: 500)
        let seen = winner.step(local: local, peers: [loser], now: ms(500))
        #expect(seen.role == .holder)
        #expect(seen.intents == [.announce])
        #expect(seen.reason == "web2 also holds; I rank higher and keep it")
        #expect(winner.step(local: local, peers: [loser], now: ms(520)).intents == [])
        let gone = winner.step(local: local, peers: [peer("web2", .standby, heardAt: 540)], now: ms(540))
        #expect(gone.intents == [.announce])
        #expect(gone.reason == "no holder; I rank first among the healthy nodes")
    }

    // MARK: Terms, mover failures, deadlines

    /// After a partition the loser may release before the winner ever hears it hold; its higher
    /// claim term shows it claimed (and pointed clients at itself), so the winner announces again, once.
    @Test func aHolderAnnouncesAgainWhenAPeerClaimedUnheard() {
        var engine = holdingEngine("web1", priority: 200)
        let before = engine.step(local: LocalCondition(priority: 200), peers: [peer("web2", .standby, heardAt: 390, term: 1)], now: ms(400))
        #expect(!before.intents.contains(.announce))
        let back = peer("web2", .standby, heardAt: 2_000, term: 2)
        let decision = engine.step(local: LocalCondition(priority: 200), peers: [back], now: ms(2_000))
        #expect(decision.role == .holder)
        #expect(decision.intents == [.announce])
        #expect(!engine.step(local: LocalCondition(priority: 200), peers: [back], now: ms(2_020)).intents.contains(.announce))
    }

    @Test func claimTermExceedsEveryTermSeen() {
        var engine = engine()
        let faulted = peer("web1", .fault, heardAt: 990, healthy: false, term: 41)
        let decision = engine.step(local: healthy, peers: [faulted], now: ms(1_000))
        #expect(decision.intents.contains(.claim(epoch: 42)))
    }

    @Test func claimFailureFaultsThenRetries() {
        var engine = engine()
        _ = engine.step(local: healthy, peers: [], now: ms(300))
        let failed = engine.claimFailed(epoch: 1, message: "no such interface eth9", now: ms(301), retryAfter: .seconds(1))
        #expect(failed.role == .fault)
        #expect(failed.intents == [.release(epoch: 1), .notify(from: .holder, to: .fault)])
        #expect(engine.step(local: healthy, peers: [], now: ms(1_300)).role == .fault)
        #expect(engine.step(local: healthy, peers: [], now: ms(1_301)).role == .holder)
    }

    @Test func staleClaimAnswersAreIgnored() {
        var engine = engine()
        _ = engine.step(local: healthy, peers: [], now: ms(300))
        engine.claimSucceeded(epoch: 7)
        #expect(engine.active == false)
        #expect(engine.claimFailed(epoch: 7, message: "x", now: ms(301), retryAfter: .seconds(1)).intents == [])
        #expect(engine.role == .holder)
    }
}
