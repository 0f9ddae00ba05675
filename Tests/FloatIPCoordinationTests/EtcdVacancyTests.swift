@testable import FloatIPCoordination
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

private let ttl = Duration.seconds(3)
private let key = "/floatip/test/vacancy"

/// When each group was reported vacant, in order.
private actor VacancyLog {
    private(set) var times: [ContinuousClock.Instant] = []
    func record() { times.append(.now) }
}

/// A recording mover fenced by `name`'s election; vacancies go to `vacant`.
private func fenced(_ etcd: EtcdServer, _ name: String, vacant: VacancyLog) throws -> EtcdFencedMover {
    let election = EtcdElection(
        client: try etcdClient([etcd.endpoint], requestTimeout: ttl / 3), key: key, name: name, ttl: ttl)
    return EtcdFencedMover(
        inner: RecordingMover(), group: etcdGroup, election: election, onFault: { _, _ in },
        onVacant: { _ in await vacant.record() })
}

/// A standby whose campaign lost waits for the holder's key to go, and says so at once
/// (docs/coordination.md, "Standbys watch the key"). Against a real etcd, TTL 3 s.
@Suite(.serialized, .enabled(if: EtcdServer.runnable, .etcd))
struct EtcdVacancyTests {
    @Test func aLostCampaignWatchesTheKeyAndReportsItsDeletion() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let log = VacancyLog()
        let a = try fenced(etcd, "node-a", vacant: log)
        let b = try fenced(etcd, "node-b", vacant: log)
        try await a.claim(etcdGroup, epoch: 1)
        await #expect(throws: EtcdElectionError.self) { try await b.claim(etcdGroup, epoch: 1) }
        #expect(await b.watchingForVacancy)
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(await log.times.isEmpty, "no vacancy while node-a holds and renews")

        let resigned = ContinuousClock.now
        try await a.release(etcdGroup, epoch: 1)
        let seen = try await waitFor(log, count: 1, limit: .seconds(2))
        let after = seen - resigned
        print("etcd vacancy: key deleted → the standby told after \(after.shortDescription)")
        #expect(after < .milliseconds(500), "the watch, not the poll (every 1 s), saw it")
        #expect(await !b.watchingForVacancy)
        try await b.claim(etcdGroup, epoch: 2)
        #expect(await b.innerHolds)
        try await b.release(etcdGroup, epoch: 2)
    }

    @Test func aKeyWhoseLeaseExpiresIsReportedWithinTheTTL() async throws {
        // A holder that dies: its key stays until its lease expires on the server.
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let log = VacancyLog()
        let writer = try etcdClient([etcd.endpoint])
        // The lease starts on the server between these two instants: it cannot end before
        // `requested` + TTL, nor (with etcd's 500 ms expiry tick) much after `granted` + TTL.
        let requested = ContinuousClock.now
        let lease = try await writer.grantLease(ttl: ttl.components.seconds)
        let granted = ContinuousClock.now
        _ = try await writer.createIfAbsent(key, value: "crashed", lease: lease.id)
        let b = try fenced(etcd, "node-b", vacant: log)
        await #expect(throws: EtcdElectionError.self) { try await b.claim(etcdGroup, epoch: 1) }
        let seen = try await waitFor(log, count: 1, limit: ttl + .seconds(3))
        let after = seen - granted
        print("etcd vacancy: a lease of 3 s expired → the standby told \(after.shortDescription) after its grant")
        #expect(seen - requested >= ttl, "not before the lease could have expired")
        #expect(after < ttl + .seconds(1), "etcd expires leases within ~500 ms of their TTL")
        try await b.claim(etcdGroup, epoch: 2)
        try await b.release(etcdGroup, epoch: 2)
        await writer.shutdown()
    }

    @Test func aKeyCreatedAgainByAnotherNodeKeepsTheStandbyWaiting() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let log = VacancyLog()
        let writer = try etcdClient([etcd.endpoint])
        let first = try await writer.grantLease(ttl: 30)
        _ = try await writer.createIfAbsent(key, value: "node-a", lease: first.id)
        let b = try fenced(etcd, "node-b", vacant: log)
        await #expect(throws: EtcdElectionError.self) { try await b.claim(etcdGroup, epoch: 1) }
        // Deleted and at once created again by node-c: one vacancy (the deletion), then the
        // standby campaigns, loses to node-c, and waits for node-c's key.
        try await writer.revoke(lease: first.id)
        let second = try await writer.grantLease(ttl: 30)
        _ = try await writer.createIfAbsent(key, value: "node-c", lease: second.id)
        _ = try await waitFor(log, count: 1, limit: .seconds(2))
        await #expect(throws: EtcdElectionError.self) { try await b.claim(etcdGroup, epoch: 2) }
        #expect(await b.watchingForVacancy)
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(await log.times.count == 1, "node-c holds: no second vacancy")
        await b.stopWatchingForVacancy()
        #expect(await !b.watchingForVacancy)
        try await writer.revoke(lease: second.id)
        try await Task.sleep(for: .milliseconds(300))
        #expect(await log.times.count == 1, "a stopped watch reports nothing")
        await writer.shutdown()
    }

    @Test func anAbsentKeyIsFoundByThePollAtOnce() async throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let election = EtcdElection(
            client: try etcdClient([etcd.endpoint], requestTimeout: ttl / 3), key: key, name: "node-b", ttl: ttl)
        let start = ContinuousClock.now
        // Revision 0 (the holder vanished before the losing campaign could read it): nothing to watch.
        try await election.waitUntilVacant(heldSince: 0)
        #expect(ContinuousClock.now - start < ttl / 3, "the first read, not one after the interval")
    }

    /// When `log` reached `count` entries (polled every 2 ms, at most `limit`).
    private func waitFor(_ log: VacancyLog, count: Int, limit: Duration) async throws -> ContinuousClock.Instant {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            let times = await log.times
            if times.count >= count { return times[count - 1] }
            try await Task.sleep(for: .milliseconds(2))
        }
        Issue.record("no vacancy reported within \(limit.shortDescription)")
        return .now
    }
}
