import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

/// ICMP echo from inside a namespace to hosts on the same bridge: a (198.18.0.1, the pinger),
/// b (.2) and c (.3); nothing answers at .77.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct PingNamespaceTests {
    private let b4 = IPAddress("198.18.0.2")!
    private let c4 = IPAddress("198.18.0.3")!
    private let c6 = IPAddress("2001:2::3")!
    private let b6 = IPAddress("2001:2::2")!
    private let nobody4 = IPAddress("198.18.0.77")!
    private let nobody6 = IPAddress("2001:2::77")!

    @Test func reachableIPv4() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        let pinger = try Pinger(namespace: lab["a"])
        let range = try lab.network.exec(lab["a"], "sysctl", "-n", "net.ipv4.ping_group_range")
        if range.split(whereSeparator: \.isWhitespace) == ["1", "0"] {
            #expect(pinger.mode == .raw, "ping_group_range \"1 0\" allows no ping socket")
        }
        let rtt = try #require(try await pinger.ping(c4, timeout: .seconds(1)))
        #expect(rtt > .zero && rtt < .seconds(1))
    }

    @Test func unreachableTimesOutWithNil() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b"])
        let pinger = try Pinger(namespace: lab["a"])
        let clock = ContinuousClock()
        let start = clock.now
        let rtt = try await pinger.ping(nobody4, timeout: .milliseconds(300))
        let elapsed = clock.now - start
        #expect(rtt == nil)
        #expect(elapsed >= .milliseconds(300) && elapsed < .milliseconds(800), "took \(elapsed)")
        let start6 = clock.now
        #expect(try await pinger.ping(nobody6, timeout: .milliseconds(200)) == nil)
        #expect(clock.now - start6 < .milliseconds(700))
    }

    @Test func reachableIPv6() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        let pinger = try Pinger(namespace: lab["a"])
        let rtt = try #require(try await pinger.ping(c6, timeout: .seconds(1)))
        #expect(rtt > .zero && rtt < .seconds(1))
    }

    @Test func concurrentPingsAreAllAnswered() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        let pinger = try Pinger(namespace: lab["a"])
        async let toB = pinger.ping(b4, timeout: .seconds(2))
        async let toC = pinger.ping(c4, timeout: .seconds(2))
        async let toB6 = pinger.ping(b6, timeout: .seconds(2))
        async let toNobody = pinger.ping(nobody4, timeout: .milliseconds(300))
        let (b, c, b6, nobody) = try await (toB, toC, toB6, toNobody)
        #expect(b != nil && c != nil && b6 != nil)
        #expect(nobody == nil)

        // Many at once to the same target: each reply goes to its own ping (sequence numbers differ).
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                let target = index % 2 == 0 ? c4 : c6
                group.addTask { try await pinger.ping(target, timeout: .seconds(2)) != nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(answered == 40)
    }

    @Test func twoPingersInOneNamespaceKeepTheirOwnReplies() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        let first = try Pinger(namespace: lab["a"])
        let second = try Pinger(namespace: lab["a"])
        // Raw sockets see every echo reply in the namespace: identifiers and payloads tell them apart.
        let results = try await withThrowingTaskGroup(of: Duration?.self) { group in
            for index in 0..<20 {
                let pinger = index % 2 == 0 ? first : second
                group.addTask { try await pinger.ping(index % 4 < 2 ? b4 : c4, timeout: .seconds(2)) }
            }
            return try await group.reduce(into: [Duration?]()) { $0.append($1) }
        }
        #expect(results.count == 20 && results.allSatisfy { $0 != nil })
    }

    @Test func pingSocketsWhereThePingGroupRangeAllowsThem() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        try lab.network.exec(lab["a"], "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
        let pinger = try Pinger(namespace: lab["a"])
        #expect(pinger.mode == .datagram)
        async let v4 = pinger.ping(c4, timeout: .seconds(1))
        async let v6 = pinger.ping(c6, timeout: .seconds(1))
        async let nobody = pinger.ping(nobody4, timeout: .milliseconds(200))
        let (rtt4, rtt6, none) = try await (v4, v6, nobody)
        #expect(rtt4 != nil && rtt6 != nil && none == nil)
        // Raw mode can still be asked for.
        let raw = try Pinger(namespace: lab["a"], mode: .raw)
        #expect(raw.mode == .raw)
        #expect(try await raw.ping(b4, timeout: .seconds(1)) != nil)
    }

    @Test func forcedPingSocketFailsWhereTheRangeForbidsIt() throws {
        let lab = try AnnounceLab(hosts: ["a"])
        try lab.network.exec(lab["a"], "sysctl", "-qw", "net.ipv4.ping_group_range=1 0")
        #expect(throws: SystemError.self) { try Pinger(namespace: lab["a"], mode: .datagram) }
        #expect(try Pinger(namespace: lab["a"]).mode == .raw)
    }

    @Test func cancellationEndsAPingAtOnce() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b"])
        let pinger = try Pinger(namespace: lab["a"])
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task { try await pinger.ping(nobody4, timeout: .seconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.now - start < .seconds(1))
    }

    /// After a neighbour lookup fails the kernel reports EHOSTUNREACH on the shared socket (as a
    /// pending error, or on the next send): neither a later ping to a reachable host nor one to the
    /// failed address may go wrong because of it.
    @Test func aFailedNeighbourDoesNotSpoilLaterPings() async throws {
        let lab = try AnnounceLab(hosts: ["a", "b", "c"])
        try lab.network.exec(
            lab["a"], "sysctl", "-qw", "net.ipv4.neigh.eth0.mcast_solicit=1", "net.ipv4.neigh.eth0.retrans_time_ms=50")
        let pinger = try Pinger(namespace: lab["a"])
        #expect(try await pinger.ping(nobody4, timeout: .milliseconds(400)) == nil)
        let state = try lab.network.ip(lab["a"], "neigh", "show", "198.18.0.77")
        #expect(state.contains("FAILED"), "the lookup failed: \(state)")
        for _ in 0..<3 {
            #expect(try await pinger.ping(c4, timeout: .seconds(1)) != nil)
            let clock = ContinuousClock()
            let start = clock.now
            #expect(try await pinger.ping(nobody4, timeout: .milliseconds(200)) == nil)
            #expect(clock.now - start < .milliseconds(700))
        }
    }
}
