import Testing
@testable import FloatIPCore

/// Planned moves in exclusive mode (`coordination: etcd`: a claim fails while another node holds),
/// where they are break-before-make: the holder releases first and names the target; the target
/// claims when it hears that; a failback is started by the holder.
extension GroupEngineTests {
    /// web2's view of web1 after web1's step, as its heartbeat says it.
    func view(_ engine: GroupEngine, _ local: LocalCondition, at time: Int64) -> PeerView {
        PeerView(name: engine.node, heardAt: ms(time), advert: engine.advert(local: local))
    }

    @Test func exclusiveMaintenanceReleasesFirstAndTheTargetClaimsOnHearingIt() {
        var giver = holdingEngine("web2", exclusive: true)
        let inMaintenance = LocalCondition(priority: 100, maintenance: true)
        let released = giver.step(local: inMaintenance, peers: [peer("web1", .standby, priority: 50, heardAt: 400)], now: ms(400))
        #expect(released.role == .maintenance)
        #expect(released.intents.contains(.release(epoch: 1)))
        #expect(released.reason == "maintenance: released for web1 to take over")
        #expect(giver.advert(local: inMaintenance).handover == Handover(target: "web1", sticky: false))

        var taker = engine("web1", exclusive: true)
        let low = LocalCondition(priority: 50)
        let claimed = taker.step(local: low, peers: [view(giver, inMaintenance, at: 401)], now: ms(401))
        #expect(claimed.role == .holder)
        #expect(claimed.reason == "web2 handed the group over to me (maintenance)")

        // The giver waits for the claim, then stops naming the target.
        let waiting = giver.step(local: inMaintenance, peers: [peer("web1", .standby, priority: 50, heardAt: 401)], now: ms(401))
        #expect(waiting.role == .maintenance && waiting.intents.isEmpty)
        #expect(waiting.reason == "released for web1 to take over; waiting for it to claim")
        _ = giver.step(local: inMaintenance, peers: [view(taker, low, at: 402)], now: ms(402))
        #expect(giver.handover == nil)
    }

    @Test func exclusiveSwitchoverReleasesAtOnceAndStaysSticky() throws {
        var giver = holdingEngine("web1", priority: 200, exclusive: true)
        let local = LocalCondition(priority: 200)
        try giver.startSwitchover(to: "web2", peers: [peer("web2", .standby, heardAt: 400)], now: ms(400))
        let released = giver.step(local: local, peers: [peer("web2", .standby, heardAt: 400)], now: ms(401))
        #expect(released.role == .standby)
        #expect(released.intents.contains(.release(epoch: 1)))
        #expect(giver.advert(local: local).handover == Handover(target: "web2", sticky: true))
        // The giver ranks higher and nobody holds, yet it does not claim: it handed the group over.
        let waiting = giver.step(local: local, peers: [peer("web2", .standby, heardAt: 402)], now: ms(402))
        #expect(waiting.role == .standby && !waiting.intents.contains { if case .claim = $0 { true } else { false } })

        var taker = engine("web2", exclusive: true)
        _ = taker.step(local: healthy, peers: [view(giver, local, at: 400)], now: ms(0))
        let taken = taker.step(local: healthy, peers: [view(giver, local, at: 402)], now: ms(402))
        #expect(taken.role == .holder && taken.reason == "web1 handed the group over to me (switchover)")
        taker.claimSucceeded(epoch: taker.term)
        #expect(taker.advert(local: healthy).sticky)
        _ = giver.step(local: local, peers: [view(taker, healthy, at: 403)], now: ms(403))
        let later = giver.step(local: local, peers: [view(taker, healthy, at: 5_000)], now: ms(5_000))
        #expect(later.role == .standby)
        #expect(later.reason == "web2 holds, placed there by a switchover; I do not preempt it")
    }

    @Test func exclusiveSwitchoverToASilentTargetIsAbandonedWithoutReleasing() throws {
        var holder = holdingEngine("web1", priority: 200, exclusive: true)
        try holder.startSwitchover(to: "web2", peers: [peer("web2", .standby, heardAt: 400)], now: ms(400))
        let decision = holder.step(local: LocalCondition(priority: 200), peers: [peer("web2", .standby, heardAt: 0)], now: ms(400))
        #expect(decision.role == .holder && decision.intents.isEmpty)
        #expect(decision.reason == "switchover to web2 abandoned: web2 went silent; still holding")
    }

    @Test func exclusiveGiverTakesTheGroupBackWhenTheTargetDoesNotClaim() throws {
        var giver = holdingEngine("web1", priority: 200, exclusive: true)
        let local = LocalCondition(priority: 200)
        try giver.startSwitchover(to: "web2", peers: [peer("web2", .standby, heardAt: 400)], now: ms(400))
        _ = giver.step(local: local, peers: [peer("web2", .standby, heardAt: 400)], now: ms(400))
        #expect(giver.step(local: local, peers: [peer("web2", .standby, heardAt: 1_390)], now: ms(1_399)).role == .standby)
        let back = giver.step(local: local, peers: [peer("web2", .standby, heardAt: 1_390)], now: ms(1_400))
        #expect(back.role == .holder, "handover_timeout passed: the usual rules again, and web1 ranks first")
        #expect(back.intents.contains(.claim(epoch: 2)))
    }

    @Test func exclusiveFailbackIsStartedByTheHolderAfterPreemptDelay() {
        var holder = holdingEngine("web2", exclusive: true)
        let better = { (at: Int64) in self.peer("web1", .standby, priority: 200, heardAt: at) }
        #expect(holder.step(local: healthy, peers: [better(500)], now: ms(500)).role == .holder)
        #expect(holder.nextDeadline(peers: [better(1_400)], now: ms(1_400)) == ms(1_500))
        #expect(holder.step(local: healthy, peers: [better(1_499)], now: ms(1_499)).role == .holder)
        let released = holder.step(local: healthy, peers: [better(1_500)], now: ms(1_500))
        #expect(released.role == .standby && released.intents.contains(.release(epoch: 1)))
        #expect(released.reason == "failback: released for web1, which ranks above me and has been healthy for 1 s")

        // The better-ranked node never claims over the holder itself (its claim would fail)…
        var returning = engine("web1", exclusive: true)
        let high = LocalCondition(priority: 200)
        let waiting = returning.step(local: high, peers: [peer("web2", .holder, heardAt: 5_000)], now: ms(5_000))
        #expect(waiting.role == .standby)
        let later = returning.step(local: high, peers: [peer("web2", .holder, heardAt: 9_000)], now: ms(9_000))
        #expect(later.role == .standby)
        #expect(later.reason == "web2 holds; I rank higher and it hands the group over to me once it has heard me healthy for 1 s")
        // …but takes it as soon as the holder hands it over.
        let taken = returning.step(local: high, peers: [view(holder, healthy, at: 9_001)], now: ms(9_001))
        #expect(taken.role == .holder && taken.reason == "web2 handed the group over to me (failback)")
    }

    @Test func exclusiveFailbackRestartsItsDelayWhenThePeerFlaps() {
        var holder = holdingEngine("web2", exclusive: true)
        _ = holder.step(local: healthy, peers: [peer("web1", .standby, priority: 200, heardAt: 500)], now: ms(500))
        _ = holder.step(local: healthy, peers: [peer("web1", .fault, priority: 200, heardAt: 900, healthy: false)], now: ms(900))
        _ = holder.step(local: healthy, peers: [peer("web1", .standby, priority: 200, heardAt: 1_000)], now: ms(1_000))
        #expect(holder.step(local: healthy, peers: [peer("web1", .standby, priority: 200, heardAt: 1_900)], now: ms(1_900)).role == .holder)
        #expect(holder.step(local: healthy, peers: [peer("web1", .standby, priority: 200, heardAt: 2_000)], now: ms(2_000)).role == .standby)
    }

    @Test func exclusiveThirdNodesLetTheNamedTargetTakeTheGroup() {
        var third = engine("web3", exclusive: true)
        let giver = peer("web1", .standby, priority: 200, heardAt: 500, handover: Handover(target: "web2", sticky: true))
        let target = peer("web2", .standby, priority: 50, heardAt: 500)
        let decision = third.step(local: LocalCondition(priority: 150), peers: [giver, target], now: ms(500))
        #expect(decision.role == .standby)
        #expect(decision.reason == "web1 hands the group over to web2")
    }
}
