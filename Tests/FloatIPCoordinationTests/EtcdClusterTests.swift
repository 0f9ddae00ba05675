@testable import FloatIPCoordination
import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// Elections against a real 3-member etcd cluster on 127.0.0.1, with the default TTL of 5 s: a
/// leader election (writes pause about 1.2–1.5 s) fits in it; at 3 s it may not, when the leader dies
/// late in a renewal interval (then the holder releases, safely, and campaigns again).
@Suite(.serialized, .enabled(if: EtcdServer.runnable, .etcd))
struct EtcdClusterTests {
    let ttl = CoordinationConfig.defaultTTL
    let key = "/floatip/test/web"

    /// The members' endpoints with the leader's first.
    func leaderFirst(_ members: [EtcdServer]) throws -> (endpoints: [String], leader: Int) {
        let leaderID = try #require(members.first?.status()?.leader)
        let leader = try #require(members.firstIndex { $0.status()?.member == leaderID })
        return ([members[leader].endpoint] + members.indices.filter { $0 != leader }.map { members[$0].endpoint },
                leader)
    }

    @Test func killingTheLeaderMemberDoesNotCostTheHolderItsKey() async throws {
        let members = try EtcdServer.cluster(3)
        defer { members.forEach { $0.stop() } }
        let (endpoints, leader) = try leaderFirst(members)
        let faults = FaultLog()
        let inner = RecordingMover()
        let election = EtcdElection(
            client: try etcdClient(endpoints, requestTimeout: ttl / 3), key: key, name: "node-a", ttl: ttl)
        let mover = EtcdFencedMover(inner: inner, group: etcdGroup, election: election) { group, reason in
            await faults.record(group, reason)
        }
        try await mover.claim(etcdGroup, epoch: 1)
        let revision = try #require(await election.createRevision)
        try await Task.sleep(for: .milliseconds(700))

        members[leader].crash()
        let crashed = ContinuousClock.now
        // How long until the two survivors take writes again (measured from outside).
        let survivors = try etcdClient(Array(endpoints.dropFirst()), requestTimeout: .milliseconds(300))
        var resumed: Duration?
        while resumed == nil, ContinuousClock.now - crashed < .seconds(10) {
            if (try? await survivors.put("/floatip/test/probe", value: "x", timeout: .milliseconds(600))) != nil {
                resumed = ContinuousClock.now - crashed
            }
        }
        let writes = try #require(resumed, "the survivors never took a write")
        print("etcd cluster: leader member killed → writes resumed after \(writes.shortDescription)")

        try await Task.sleep(for: ttl * 2)
        let lost = await faults.entries.map { $0.reason ?? "" }
        #expect(lost.isEmpty, "no loss: \(lost)")
        #expect(await inner.holds)
        #expect(await inner.operations == [.claim(epoch: UInt64(revision))], "no flap")
        #expect(await election.createRevision == revision)
        #expect(try await survivors.get(key)?.createRevision == revision)
        try await mover.release(etcdGroup, epoch: 1)
        #expect(try await survivors.get(key) == nil)
        await survivors.shutdown()
    }

    @Test func campaignsThroughDifferentMembersStillHaveOneWinner() async throws {
        let members = try EtcdServer.cluster(3)
        defer { members.forEach { $0.stop() } }
        let elections = try members.enumerated().map { index, member in
            EtcdElection(
                client: try etcdClient([member.endpoint], requestTimeout: ttl / 3), key: key, name: "node-\(index)",
                ttl: ttl)
        }
        let wins = await withTaskGroup(of: Int64?.self) { group in
            for election in elections { group.addTask { try? await election.campaign { _ in } } }
            var wins: [Int64] = []
            for await won in group { if let won { wins.append(won) } }
            return wins
        }
        #expect(wins.count == 1, "\(wins)")
        for election in elections where await election.createRevision != nil { try await election.resign() }
    }
}
