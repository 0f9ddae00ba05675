@testable import FloatIPCoordination
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

private let ttl = Duration.seconds(3)
private let key = "/floatip/test/web"

private func election(_ etcd: EtcdServer, _ name: String, credentials: EtcdCredentials? = nil) throws -> EtcdElection {
    EtcdElection(
        client: try etcdClient([etcd.endpoint], requestTimeout: ttl / 3, credentials: credentials), key: key,
        name: name, ttl: ttl)
}

/// A recording mover fenced by `name`'s election; faults go to `faults`.
private func fenced(
    _ etcd: EtcdServer, _ name: String, faults: FaultLog, faultHold: Duration? = nil
) throws -> (EtcdFencedMover, RecordingMover) {
    let inner = RecordingMover()
    let mover = EtcdFencedMover(
        inner: inner, group: etcdGroup, election: try election(etcd, name), faultHold: faultHold
    ) { group, reason in await faults.record(group, reason) }
    return (mover, inner)
}

/// The result of `work`, thrown errors included.
private func outcome(_ work: () async throws -> Int64) async -> Result<Int64, any Error> {
    do { return .success(try await work()) } catch { return .failure(error) }
}

/// Elections and the fenced mover against a real etcd (TTL 3 s, the shortest etcd allows).
@Suite(.serialized, .enabled(if: EtcdServer.runnable, .etcd))
struct EtcdElectionTests {
    @Test func ofTwoCampaignsExactlyOneWinsWithTheKeysCreateRevision() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let a = try election(etcd, "node-a")
        let b = try election(etcd, "node-b")
        async let first = outcome { try await a.campaign { _ in } }
        async let second = outcome { try await b.campaign { _ in } }
        let outcomes = [("node-a", await first), ("node-b", await second)]
        let winners = outcomes.filter { (try? $0.1.get()) != nil }
        #expect(winners.count == 1, "exactly one wins: \(outcomes)")
        guard winners.count == 1 else { return }
        let (winner, won) = winners[0]
        let revision = try won.get()
        let reader = try etcdClient([etcd.endpoint])
        let value = try #require(try await reader.get(key))
        #expect(value.value == winner && value.createRevision == revision)
        let loser = try #require(outcomes.first { $0.0 != winner })
        #expect(throws: EtcdElectionError.heldByOther(key: key, holder: winner, revision: revision)) {
            try loser.1.get()
        }
        #expect("\(EtcdElectionError.heldByOther(key: key, holder: winner, revision: revision))"
            == "etcd key \(key) is held by \(winner) (since revision \(revision))")
        // Campaigning again while holding is fine and keeps the revision.
        let holder = winner == "node-a" ? a : b
        #expect(try await holder.campaign { _ in } == revision)
        try await holder.resign()
        await reader.shutdown()
    }

    @Test func renewalKeepsTheKeyWellPastItsTTL() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let a = try election(etcd, "node-a")
        let reader = try etcdClient([etcd.endpoint])
        let lost = FaultLog()
        let revision = try await a.campaign { reason in await lost.record("web", reason) }
        // A control lease of the same TTL that nobody renews: it must be gone at the end.
        let control = try await reader.grantLease(ttl: ttl.components.seconds)
        try await Task.sleep(for: ttl * 1.7)
        #expect(try await reader.timeToLive(lease: control.id) == nil, "the control lease expired")
        let value = try #require(try await reader.get(key))
        #expect(value.createRevision == revision && value.value == "node-a")
        #expect(await a.createRevision == revision)
        let lease = try #require(await a.lease)
        #expect(try await reader.timeToLive(lease: lease) ?? 0 >= 1)
        #expect(await lost.entries.isEmpty)
        try await a.resign()
        await reader.shutdown()
    }

    /// Break-before-make handovers: the target campaigns while the old holder is still resigning.
    @Test func aPatientCampaignWinsOnceTheHolderResigns() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let a = try election(etcd, "node-a")
        let b = try election(etcd, "node-b")
        let first = try await a.campaign { _ in }
        await #expect(throws: EtcdElectionError.self) { _ = try await b.campaign { _ in } }
        let resigning = Task {
            try await Task.sleep(for: .milliseconds(200))
            try await a.resign()
            return ContinuousClock.now
        }
        let started = ContinuousClock.now
        let second = try await b.campaign(patience: .seconds(1)) { _ in }
        let resigned = try await resigning.value
        print("etcd: patient campaign won \((ContinuousClock.now - resigned).shortDescription) after the resign")
        #expect(second > first)
        #expect(ContinuousClock.now - started < .seconds(1))
        // Patience is bounded: a holder that stays is not waited for longer.
        let c = try election(etcd, "node-c")
        let waitStart = ContinuousClock.now
        await #expect(throws: EtcdElectionError.self) { _ = try await c.campaign(patience: .milliseconds(300)) { _ in } }
        let waited = ContinuousClock.now - waitStart
        #expect(waited >= .milliseconds(300) && waited < .seconds(2), "\(waited)")
        try await b.resign()
    }

    /// A killed holder's addresses must vanish before its lease can expire on the server: the
    /// inner mover is bounded by the lease before the claim and again after every renewal.
    @Test func theInnerMoverIsBoundedByTheLeaseAtTheClaimAndAfterEachRenewal() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let (a, inner) = try fenced(etcd, "node-a", faults: FaultLog())
        let before = ContinuousClock.now
        try await a.claim(etcdGroup, epoch: 1)
        try await Task.sleep(for: ttl)
        let bounds = await inner.bounds
        #expect(bounds.count >= 3, "one at the claim, one per renewal (every ttl/3): \(bounds.count)")
        let first = try #require(bounds.first?.goneBy)
        #expect(first > before + ttl - .milliseconds(500) && first <= before + ttl + .milliseconds(300),
                "the grant's send time + TTL: \((first - before).shortDescription) after the claim began")
        for (at, goneBy) in bounds {
            let left = try #require(goneBy) - at
            #expect(left <= ttl && left > ttl - .seconds(1), "never past send time + TTL: \(left.shortDescription) left")
        }
        let ends = bounds.compactMap(\.goneBy)
        #expect(ends == ends.sorted(), "bounds only move forward")
        #expect(await a.election.leaseEndsNoEarlier == ends.last)
        try await a.release(etcdGroup, epoch: 1)
    }

    @Test func aLeaseRevokedFromOutsideReleasesTheInnerMoverAtOnceAndAnotherNodeWins() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let faults = FaultLog()
        let (a, innerA) = try fenced(etcd, "node-a", faults: faults, faultHold: .milliseconds(500))
        try await a.claim(etcdGroup, epoch: 7)
        let lease = try #require(await a.election.lease)
        let revision = try #require(await a.election.createRevision)
        #expect(await innerA.operations == [.claim(epoch: UInt64(revision))], "claimed with the etcd revision")
        #expect(try await a.holder(of: etcdGroup) == .this)

        let outside = try etcdClient([etcd.endpoint])
        let revoked = ContinuousClock.now
        try await outside.revoke(lease: lease)
        let released = await eventually(within: ttl) { await !innerA.holds }
        #expect(released)
        let took = try #require(await innerA.releasedAt) - revoked
        print("etcd: lease revoked from outside → inner mover released in \(took.shortDescription)")
        #expect(took < ttl / 3, "the watch sees the deletion well before the next poll")
        #expect(await faults.entries.first?.reason?.contains("lost etcd key \(key)") == true)
        #expect(await eventually(within: .seconds(2)) { await faults.entries.last.map { $0.reason == nil } ?? false },
                "the fault ends after faultHold")

        let (b, innerB) = try fenced(etcd, "node-b", faults: FaultLog())
        try await b.claim(etcdGroup, epoch: 8)
        let revisionB = try #require(await b.election.createRevision)
        #expect(revisionB > revision)
        #expect(await innerB.operations == [.claim(epoch: UInt64(revisionB))])
        #expect(try await a.holder(of: etcdGroup) == .other("node-b"))
        try await b.release(etcdGroup, epoch: 8)
        await outside.shutdown()
    }

    @Test func aKeyDeletedFromOutsideIsSeenByTheWatch() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let faults = FaultLog()
        let (a, inner) = try fenced(etcd, "node-a", faults: faults)
        try await a.claim(etcdGroup, epoch: 1)
        let outside = try etcdClient([etcd.endpoint])
        let deleted = ContinuousClock.now
        #expect(try await outside.delete(key) == 1)
        #expect(await eventually(within: ttl) { await !inner.holds })
        let took = try #require(await inner.releasedAt) - deleted
        print("etcd: key deleted from outside → inner mover released in \(took.shortDescription)")
        #expect(took < ttl / 3)
        let reason = await faults.entries.first?.reason ?? ""
        #expect(reason.contains("deleted"), "\(reason)")
        await outside.shutdown()
    }

    @Test func aFrozenEtcdMakesTheHolderReleaseBeforeItsLeaseCanExpire() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let faults = FaultLog()
        let (a, inner) = try fenced(etcd, "node-a", faults: faults)
        try await a.claim(etcdGroup, epoch: 1)
        // Let a renewal or two happen, then freeze etcd: every request hangs from now on.
        try await Task.sleep(for: ttl / 2)
        let lastSentBefore = try #require(await a.election.lastRenewalSent)
        etcd.pause()
        let paused = ContinuousClock.now
        // The last renewal etcd can have accepted was sent at most now; track it until the loss.
        var lastSent = lastSentBefore
        let noticed = await eventually(within: ttl + .seconds(1)) {
            if let sent = await a.election.lastRenewalSent { lastSent = max(lastSent, sent) }
            return await !inner.holds
        }
        etcd.resume()
        #expect(noticed)
        let releasedAt = try #require(await inner.releasedAt)
        let earliestExpiry = lastSent + ttl
        print("etcd frozen → inner released after \((releasedAt - paused).shortDescription), "
            + "\((earliestExpiry - releasedAt).shortDescription) before the lease could expire on the server")
        #expect(releasedAt < earliestExpiry - .milliseconds(300), "released with margin before the server's expiry")
        let reason = await faults.entries.first?.reason ?? ""
        #expect(reason.contains("local deadline passed"), "\(reason)")
        try await a.release(etcdGroup, epoch: 1)
    }

    @Test func resignRemovesTheKeyAndLeaseSoTheOtherWins() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let (a, innerA) = try fenced(etcd, "node-a", faults: FaultLog())
        let (b, innerB) = try fenced(etcd, "node-b", faults: FaultLog())
        try await a.claim(etcdGroup, epoch: 1)
        let revisionA = try #require(await a.election.createRevision)
        let leaseA = try #require(await a.election.lease)
        await #expect(throws: EtcdElectionError.heldByOther(key: key, holder: "node-a", revision: revisionA)) {
            try await b.claim(etcdGroup, epoch: 2)
        }
        #expect(await innerB.operations.isEmpty, "a lost campaign never touches the inner mover")
        try await a.release(etcdGroup, epoch: 1)
        #expect(await innerA.operations == [.claim(epoch: UInt64(revisionA)), .release(epoch: UInt64(revisionA))])
        let reader = try etcdClient([etcd.endpoint])
        #expect(try await reader.get(key) == nil)
        #expect(try await reader.timeToLive(lease: leaseA) == nil, "the lease was revoked")
        try await b.claim(etcdGroup, epoch: 2)
        let revisionB = try #require(await b.election.createRevision)
        #expect(revisionB > revisionA)
        #expect(await innerB.holds)
        // Releasing what is not held is quiet, and leaves the other's key alone.
        try await a.release(etcdGroup, epoch: 1)
        #expect(try await reader.get(key)?.value == "node-b")
        try await b.release(etcdGroup, epoch: 2)
        await reader.shutdown()
    }

    @Test func aKeyLeftByAnEarlierRunOfThisNodeIsTakenOver() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let earlier = try etcdClient([etcd.endpoint])
        let lease = try await earlier.grantLease(ttl: 60)
        guard case .created(let stale) = try await earlier.createIfAbsent(key, value: "node-a", lease: lease.id) else {
            Issue.record("could not create the stale key")
            return
        }
        let a = try election(etcd, "node-a")
        let revision = try await a.campaign { _ in }
        #expect(revision > stale.createRevision)
        #expect(try await earlier.get(key)?.createRevision == revision)
        try await a.resign()
        await earlier.shutdown()
    }

    @Test func aCampaignAgainstAnEtcdThatIsDownFailsClearlyWithinItsTimeout() async throws {
        let dead = "http://127.0.0.1:\(try Loopback.freePorts(1)[0])"
        let refused = EtcdElection(
            client: try etcdClient([dead], requestTimeout: ttl / 3), key: key, name: "node-a", ttl: ttl)
        var started = ContinuousClock.now
        do {
            _ = try await refused.campaign { _ in }
            Issue.record("won against nothing")
        } catch let error as EtcdElectionError {
            guard case .unavailable(_, let cause) = error, case .unreachable = cause else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect("\(error)".contains(dead) && "\(error)".contains("lease/grant"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(1))

        let silent = try FakeGateway(.silent)
        defer { silent.stop() }
        let hanging = EtcdElection(
            client: try etcdClient([silent.endpoint], requestTimeout: ttl / 3), key: key, name: "node-a", ttl: ttl)
        started = ContinuousClock.now
        await #expect(throws: EtcdElectionError.self) { try await hanging.campaign { _ in } }
        let took = ContinuousClock.now - started
        print("etcd: campaign against a silent member failed after \(took.shortDescription)")
        #expect(took < ttl + .milliseconds(500), "never hangs: \(took)")
    }

    @Test func campaignsWithAuthentication() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let admin = try etcdClient([etcd.endpoint])
        try await enableAuth(admin, rootPassword: "root-secret-1")
        await admin.shutdown()
        let wrong = try election(etcd, "node-a", credentials: EtcdCredentials(user: "root", password: "nope-nope"))
        do {
            _ = try await wrong.campaign { _ in }
            Issue.record("won with a wrong password")
        } catch let error as EtcdElectionError {
            #expect("\(error)".contains("rejected user root"), "\(error)")
            #expect(!"\(error)".contains("nope-nope"))
        }
        let right = try election(etcd, "node-a", credentials: EtcdCredentials(user: "root", password: "root-secret-1"))
        let revision = try await right.campaign { _ in }
        #expect(revision > 0)
        // Renewal and the watch work with the token too: still held past the TTL.
        try await Task.sleep(for: ttl * 1.4)
        #expect(await right.createRevision == revision)
        try await right.resign()
    }
}
