import Testing

@testable import FloatIPCore

/// The etcd election as a pure machine (`ElectionCampaign`, `ElectionTenure`, `ElectionResignation`):
/// replies and time in, requests and decisions out. The agent's `EtcdElection` and the simulator's
/// etcd mode both drive it; these tests pin its rules one by one.
@Suite struct ElectionMachineTests {
    let machine = ElectionMachine(key: "/floatip/c/web", name: "n1", ttl: .seconds(3))

    func ms(_ value: Int64) -> Instant { Instant(nanoseconds: value * 1_000_000) }

    func key(_ value: String, _ revision: Int64, lease: Int64 = 7) -> ElectionKeyValue {
        ElectionKeyValue(value: value, createRevision: revision, modRevision: revision, lease: lease)
    }

    /// A campaign started at 0 ms, after its grant answered `lease` at `at` ms.
    func granted(_ campaign: inout ElectionCampaign, lease: Int64 = 5, at: Int64 = 2) -> ElectionCampaign.Step {
        #expect(campaign.begin(now: .zero).next == .send(.grant(ttl: .seconds(3)), limit: .seconds(3)))
        return campaign.replied(.granted(lease: lease, ttl: .seconds(3)), now: ms(at))
    }

    func tenure(sent: Int64 = 0) -> ElectionTenure {
        ElectionTenure(machine: machine, lease: 5, createRevision: 10, sent: ms(sent), granted: .seconds(3))
    }

    @Test func defaultsFollowTheTTL() {
        #expect(machine.margin == .milliseconds(600))
        #expect(machine.renewInterval == .seconds(1))
        #expect(ElectionMachine(key: "k", name: "n", ttl: .seconds(1)).margin == .milliseconds(500))
    }

    // MARK: Campaign

    @Test func aCampaignGrantsThenCreatesWithinItsTTLAndWins() {
        var campaign = ElectionCampaign(machine: machine, now: .zero)
        let create = granted(&campaign)
        #expect(create.next == .send(.createIfAbsent(key: machine.key, value: "n1", lease: 5), limit: .milliseconds(2998)))
        guard case .won(let won) = campaign.replied(.created(revision: 10), now: ms(4)).next else {
            Issue.record("not won")
            return
        }
        #expect(won.createRevision == 10 && won.lease == 5)
        #expect(won.deadline == ms(2400) && won.leaseEndsNoEarlier == ms(3000) && won.nextRenewal == ms(1000))
    }

    @Test func aKeyCreatedTooLateToHoldIsRevokedAndTheCampaignTooSlow() {
        var campaign = ElectionCampaign(machine: machine, now: .zero)
        _ = granted(&campaign)
        let step = campaign.replied(.created(revision: 10), now: ms(2400))
        #expect(step.revoke == [5])
        #expect(step.next == .failed(.tooSlow(key: machine.key, after: .milliseconds(2400))))
    }

    @Test func aFailedGrantOrCreateMakesEtcdUnavailable() {
        var first = ElectionCampaign(machine: machine, now: .zero)
        _ = first.begin(now: .zero)
        #expect(first.replied(.failed("timed out"), now: ms(1000)).next == .failed(.unavailable(step: "lease/grant", why: "timed out")))
        var second = ElectionCampaign(machine: machine, now: .zero)
        _ = granted(&second)
        let step = second.replied(.failed("timed out"), now: ms(1000))
        #expect(step.revoke == [5], "the create may have been applied unseen")
        #expect(step.next == .failed(.unavailable(step: "kv/txn", why: "timed out")))
        #expect("\(ElectionFailure.unavailable(step: "kv/txn", why: "timed out"))" == "etcd unavailable: kv/txn timed out")
    }

    @Test func aKeyHeldByAnotherNodeFailsAtOnceWithoutPatience() {
        var campaign = ElectionCampaign(machine: machine, now: .zero)
        _ = granted(&campaign)
        let step = campaign.replied(.exists(key("n2", 8)), now: ms(4))
        #expect(step.revoke == [5])
        #expect(step.next == .failed(.heldByOther(key: machine.key, holder: "n2", revision: 8)))
        #expect("\(ElectionFailure.heldByOther(key: "k", holder: "n2", revision: 8))" == "etcd key k is held by n2 (since revision 8)")
    }

    @Test func aKeyOfThisNodesNameFromAnEarlierRunIsClearedOnceThenTheCampaignRetries() {
        var campaign = ElectionCampaign(machine: machine, now: .zero)
        _ = granted(&campaign)
        let clear = campaign.replied(.exists(key("n1", 8, lease: 3)), now: ms(4))
        #expect(clear.revoke == [5])
        #expect(clear.next == .send(.delete(key: machine.key, ifCreatedAt: 8), limit: .milliseconds(2996)))
        let retry = campaign.replied(.deleted(true), now: ms(6))
        #expect(retry.revoke == [3], "the stale key's lease goes too")
        #expect(retry.next == .send(.grant(ttl: .seconds(3)), limit: .milliseconds(2994)))
        // Found again under this node's name: no second clearing; without patience, held.
        _ = campaign.replied(.granted(lease: 6, ttl: .seconds(3)), now: ms(8))
        #expect(campaign.replied(.exists(key("n1", 9)), now: ms(10)).next == .failed(.heldByOther(key: machine.key, holder: "n1", revision: 9)))
    }

    @Test func aPatientCampaignPollsFastThenSlowAndRetriesWhenTheKeyGoes() {
        var campaign = ElectionCampaign(machine: machine, patience: .seconds(1), now: .zero)
        _ = granted(&campaign)
        #expect(campaign.replied(.exists(key("n2", 8)), now: ms(4)).next == .wait(until: ms(9)))
        #expect(campaign.woke(now: ms(9)).next == .send(.get(key: machine.key), limit: .milliseconds(995)))
        #expect(campaign.replied(.value(key("n2", 8)), now: ms(10)).next == .wait(until: ms(15)))
        // Past 200 ms of polling: every 50 ms; a failed read is polled again.
        _ = campaign.woke(now: ms(300))
        #expect(campaign.replied(.failed("timed out"), now: ms(301)).next == .wait(until: ms(351)))
        _ = campaign.woke(now: ms(351))
        #expect(campaign.replied(.value(nil), now: ms(352)).next == .send(.grant(ttl: .seconds(3)), limit: .milliseconds(2648)))
    }

    @Test func aPatientCampaignGivesUpWhenItsPatienceIsSpent() {
        var campaign = ElectionCampaign(machine: machine, patience: .seconds(10), now: .zero)
        #expect(campaign.patience == .milliseconds(1500), "at most half the TTL")
        _ = granted(&campaign)
        _ = campaign.replied(.exists(key("n2", 8)), now: ms(4))
        _ = campaign.woke(now: ms(1500))
        #expect(campaign.replied(.value(key("n2", 8)), now: ms(1504)).next == .failed(.heldByOther(key: machine.key, holder: "n2", revision: 8)))
    }

    @Test func aCampaignPastItsTTLIsTooSlow() {
        var campaign = ElectionCampaign(machine: machine, now: .zero)
        _ = campaign.begin(now: .zero)
        let step = campaign.replied(.granted(lease: 5, ttl: .seconds(3)), now: ms(3000))
        #expect(step.next == .failed(.tooSlow(key: machine.key, after: .seconds(3))))
    }

    // MARK: Tenure

    @Test func renewalsComeEveryIntervalAndTwiceAsOftenAfterAFailure() {
        var held = tenure()
        let first = held.renew(now: ms(1000))
        #expect(first.request == .keepAlive(lease: 5) && first.limit == .seconds(1))
        #expect(held.renewed(.failed("timed out"), sent: ms(1000)) == .failed)
        #expect(held.nextRenewal == ms(2000) && held.lastError == "timed out")
        #expect(held.renew(now: ms(2000)).limit == .milliseconds(500))
        #expect(held.nextRenewal == ms(2500))
        #expect(held.expired(at: ms(2399)) == nil)
        #expect(held.expired(at: ms(2400)) == "no renewal succeeded for 2.4 s (local deadline passed; last error: timed out)")
    }

    @Test func aRenewalMovesTheDeadlineAndThePollGetsWhatIsLeftOfTheInterval() {
        var held = tenure()
        _ = held.renew(now: ms(1000))
        #expect(held.renewed(.renewed(ttl: .seconds(3)), sent: ms(1000)) == .renewed)
        #expect(held.deadline == ms(3400) && held.leaseEndsNoEarlier == ms(4000) && held.lastRenewalSent == ms(1000))
        #expect(held.nextRenewal == ms(2000) && !held.failing && held.lastError == nil)
        let poll = held.poll(now: ms(1300))
        #expect(poll?.request == .get(key: machine.key) && poll?.limit == .milliseconds(700))
        #expect(held.poll(now: ms(2000)) == nil, "no time left: the next renewal goes first")
        #expect(held.polled(.value(key("n1", 10))) == nil)
        // A late answer to an older renewal never moves the deadline back.
        #expect(held.renewed(.renewed(ttl: .seconds(3)), sent: ms(500)) == .renewed)
        #expect(held.deadline == ms(3400))
    }

    @Test func aRenewalWithoutTTLOrAForeignKeyEndsTheTenure() {
        var held = tenure()
        #expect(held.renewed(.renewed(ttl: nil), sent: ms(1000)) == .lost("its lease is gone (etcd answered the renewal without a TTL)"))
        #expect(held.polled(.value(nil)) == "its key is gone")
        #expect(held.polled(.value(key("n2", 12))) == "its key was created again by n2 (revision 12, ours was 10)")
        #expect(held.watched(nil, revision: 13) == "its key was deleted (revision 13)")
        #expect(held.watched(key("n2", 10), revision: 13) == "its key now names n2")
        #expect(held.watched(key("n1", 10), revision: 13) == nil)
    }

    // MARK: Resign

    @Test func resigningATenureDeletesItsKeyThenRevokesItsLease() {
        var resignation = ElectionResignation(machine: machine, tenure: tenure())
        #expect(resignation.begin() == .send(.delete(key: machine.key, ifCreatedAt: 10), limit: .seconds(1)))
        #expect(resignation.replied(.deleted(true)) == .send(.revoke(lease: 5), limit: .seconds(1)))
        #expect(resignation.replied(.revoked) == .done(incomplete: nil, revokeInBackground: nil))
        var failing = ElectionResignation(machine: machine, tenure: tenure())
        #expect(failing.replied(.failed("down")) == .done(incomplete: "down", revokeInBackground: 5))
    }

    @Test func resigningWithoutATenureRemovesOnlyAKeyOfThisNodesName() {
        var stale = ElectionResignation(machine: machine, tenure: nil)
        #expect(stale.begin() == .send(.get(key: machine.key), limit: .seconds(1)))
        #expect(stale.replied(.value(key("n1", 4, lease: 3))) == .send(.delete(key: machine.key, ifCreatedAt: 4), limit: .seconds(1)))
        #expect(stale.replied(.deleted(true)) == .send(.revoke(lease: 3), limit: .seconds(1)))
        #expect(stale.replied(.revoked) == .done(incomplete: nil, revokeInBackground: nil))
        var other = ElectionResignation(machine: machine, tenure: nil)
        #expect(other.replied(.value(key("n2", 4))) == .done(incomplete: nil, revokeInBackground: nil))
    }
}
