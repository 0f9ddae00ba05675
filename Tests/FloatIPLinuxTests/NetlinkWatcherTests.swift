import FloatIPCore
import Foundation
import Testing

@testable import FloatIPLinux

@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct NetlinkWatcherTests {
    @Test func addressChangesByHandArrive() async throws {
        let fixture = try VethFixture()
        let watcher = try NetlinkWatcher(namespace: fixture.a)
        defer { watcher.stop() }
        let events = EventCollector(watcher.events())
        try fixture.network.ip(fixture.a, "addr", "add", "198.18.0.60/32", "dev", "v0")
        let added = await events.first {
            if case .addressAdded(let info) = $0 { info.prefix == prefix("198.18.0.60/32") && info.label == "v0" } else { false }
        }
        #expect(added != nil, "\(events.all)")
        try fixture.network.ip(fixture.a, "addr", "del", "198.18.0.60/32", "dev", "v0")
        let removed = await events.first {
            if case .addressRemoved(let info) = $0 { info.prefix == prefix("198.18.0.60/32") && info.interfaceIndex == fixture.index } else { false }
        }
        #expect(removed != nil, "\(events.all)")
    }

    @Test func linkDownArrives() async throws {
        let fixture = try VethFixture()
        let watcher = try NetlinkWatcher(namespace: fixture.a)
        defer { watcher.stop() }
        let events = EventCollector(watcher.events())
        try fixture.network.ip(fixture.a, "link", "set", "v0", "down")
        let down = await events.first {
            if case .linkChanged(let link) = $0 { link.name == "v0" && !link.isUp } else { false }
        }
        #expect(down != nil, "\(events.all)")
        try fixture.network.ip(fixture.a, "link", "del", "v0")
        let removed = await events.first { $0 == .linkRemoved(fixture.index) }
        #expect(removed != nil, "\(events.all)")
    }

    /// The watcher falls behind (a 4 KiB socket buffer, thousands of events before reading
    /// starts): the socket reports ENOBUFS, and the watcher emits a snapshot with the true set.
    @Test func overflowLeadsToResync() async throws {
        let fixture = try VethFixture()
        let watcher = try NetlinkWatcher(namespace: fixture.a, receiveBufferSize: 4096)
        defer { watcher.stop() }
        // 1,000 adds, then the first 500 deleted: 1,500 events, 500 addresses remain.
        let all = (0..<1000).map { "198.18.\(10 + $0 / 250).\($0 % 250)/32" }
        let commands = all.map { "addr add \($0) dev v0" } + all.prefix(500).map { "addr del \($0) dev v0" }
        try fixture.network.batch(fixture.a, commands)

        let events = EventCollector(watcher.events())
        let resynced = await events.first { if case .resynced = $0 { true } else { false } }
        guard case .resynced(let addresses, let links) = try #require(resynced, "\(events.all.prefix(5))") else { return }
        let expected = Set(all.suffix(500).map(prefix))
        let seen = Set(addresses.filter { $0.interfaceIndex == fixture.index && $0.family == .ipv4 }.map(\.prefix))
        #expect(seen == expected)
        #expect(links.contains { $0.name == "v0" })
        #expect(events.all.first.map { if case .resynced = $0 { true } else { false } } == true, "the snapshot comes first")
    }

    /// The consumer falls more than `bufferLimit` events behind: the stream drops nothing silently,
    /// the watcher follows the buffered events with a snapshot.
    @Test func slowConsumerGetsAResync() async throws {
        let fixture = try VethFixture()
        let watcher = try NetlinkWatcher(namespace: fixture.a, receiveBufferSize: nil, bufferLimit: 4)
        defer { watcher.stop() }
        let stream = watcher.events()
        let all = (0..<50).map { "198.18.2.\($0)/32" }
        try fixture.network.batch(fixture.a, all.map { "addr add \($0) dev v0" })
        try await Task.sleep(for: .milliseconds(300))

        let events = EventCollector(stream)
        let resynced = await events.first { if case .resynced = $0 { true } else { false } }
        guard case .resynced(let addresses, _) = try #require(resynced, "\(events.all.prefix(8))") else { return }
        #expect(Set(all.map(prefix)).isSubset(of: Set(addresses.map(\.prefix))))
        #expect(events.all.prefix(4).allSatisfy { if case .addressAdded = $0 { true } else { false } })
    }

    @Test func stopEndsTheStreamPromptly() async throws {
        let fixture = try VethFixture()
        let watcher = try NetlinkWatcher(namespace: fixture.a)
        let stream = watcher.events()
        let clock = ContinuousClock()
        let start = clock.now
        watcher.stop()
        for await _ in stream {}
        #expect(clock.now - start < .seconds(1))
        // A second call, after stop, is a finished stream.
        for await _ in watcher.events() { Issue.record("no events after stop") }
    }
}
