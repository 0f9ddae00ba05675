import FloatIPLab
import Foundation
import Glibc
import Testing

/// SIGHUP applies the config file to two running agents while a client asks each floating address
/// every 5 ms: each change does what it should and nothing else (docs/operations.md, "Reload").
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct ReloadTests {
    static let web = ReloadLab.Group(name: "web", addresses: ["198.18.0.100"], priorities: (240, 230))
    static let api = ReloadLab.Group(name: "api", addresses: ["198.18.0.101"], priorities: (240, 230))

    /// Starts the lab with `groups` and waits until web1 holds every one of them and web2 stands by.
    static func settled(_ groups: [ReloadLab.Group]) async throws -> ReloadLab {
        let lab = try ReloadLab(groups)
        let addresses = groups.flatMap(\.addresses)
        let held = try await lab.lab.wait(.seconds(10)) {
            try addresses.allSatisfy { try lab.holders($0) == [1] }
                && lab.events(2, "transition").contains { $0["to"] as? String == "standby" }
        }
        #expect(held != nil, "web1 never held \(addresses): \(lab.lab.log(1))")
        // web1's claim bursts end (3 rounds, 50 ms apart) before anything moves.
        try await Task.sleep(for: .milliseconds(300))
        return lab
    }

    /// Prints and checks what a probe saw: `failed` requests at most.
    static func finish(_ probe: LabProbe?, _ label: String, failed: Int = 0) {
        guard let probe else { return }
        let record = probe.stop()
        let answers = record.requests.compactMap(\.answered).sorted()
        let gaps = zip(answers, answers.dropFirst()).map { $1 - $0 }.max() ?? .zero
        print("\(label): \(record.totals.sent) requests, \(record.totals.failed) failed, longest gap \(gaps)")
        #expect(record.totals.sent > 50, "the probe ran")
        #expect(record.totals.failed <= failed, "\(label): \(record.totals.failed) requests failed")
    }

    /// Reloads both nodes, waits up to `limit` until `address` is on `node` alone, prints how long that
    /// took after the reload (`what`), then probes `address` and expects `node` to answer; the probe runs on.
    static func reload(
        _ lab: ReloadLab, until address: String, isOn node: Int, within limit: Duration, _ what: String,
        failure: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> LabProbe {
        let reloaded = ContinuousClock.now
        try await lab.reload([1, 2])
        let held = try await lab.lab.wait(limit) { try lab.holders(address) == [node] }
        #expect(held != nil, "\(failure())", sourceLocation: sourceLocation)
        print("\(what) \(ContinuousClock.now - reloaded) after the reload")
        let probe = try lab.probe(address)
        #expect(try await lab.answered(by: node, probe, after: .now), sourceLocation: sourceLocation)
        return probe
    }

    @Test func aGroupAddedByReloadIsClaimedByTheRightNodeAndTheOtherSeesNothing() async throws {
        let lab = try await Self.settled([Self.web])
        let untouched = try lab.probe("198.18.0.100")
        defer { Self.finish(untouched, "web (untouched)") }
        let transitions = (lab.events(1, "transition", group: "web").count, lab.events(2, "transition", group: "web").count)
        // web2 ranks first for the new group.
        let api = ReloadLab.Group(name: "api", addresses: ["198.18.0.101"], priorities: (200, 250))
        for node in 1...2 { try lab.write(node, [Self.web, api]) }
        let probe = try await Self.reload(
            lab, until: "198.18.0.101", isOn: 2, within: .seconds(5), "api claimed by web2",
            failure: "web2 never held the new group: \(lab.lab.log(2))")
        try await Task.sleep(for: .milliseconds(500))
        Self.finish(probe, "api (added)")
        #expect(try lab.holders("198.18.0.100") == [1])
        #expect(lab.events(1, "transition", group: "web").count == transitions.0, "no transition for web on web1")
        #expect(lab.events(2, "transition", group: "web").count == transitions.1, "no transition for web on web2")
        let record = try #require(lab.events(1, "reload").last)
        #expect(record["outcome"] as? String == "applied")
        #expect((record["groups"] as? [String: String]) == ["api": "added"])
        #expect(lab.lab.log(1).contains("SIGHUP: reloaded"), "\(lab.lab.log(1))")
    }

    @Test func aPriorityChangeFailsTheGroupBackMakeBeforeBreakAndLeavesTheOtherAlone() async throws {
        let lab = try await Self.settled([Self.web, Self.api])
        let untouched = try lab.probe("198.18.0.100")
        defer { Self.finish(untouched, "web (untouched)") }
        let moving = try lab.probe("198.18.0.101")
        let transitions = (lab.events(1, "transition", group: "web").count, lab.events(2, "transition", group: "web").count)
        var api = Self.api
        api.priorities = (240, 250)
        try lab.write(2, [Self.web, api])
        let reloaded = ContinuousClock.now
        try await lab.reload([2])
        #expect(try await lab.answered(by: 2, moving, after: reloaded), "web2 never answered for api: \(lab.lab.log(2))")
        print("api failed back to web2 \(ContinuousClock.now - reloaded) after the reload")
        let released = try await lab.lab.wait(.seconds(5)) { try lab.holders("198.18.0.101") == [2] }
        #expect(released != nil, "web1 never released api: \(lab.lab.log(1))")
        try await Task.sleep(for: .milliseconds(300))
        Self.finish(moving, "api (failback)")
        #expect(try lab.holders("198.18.0.100") == [1])
        #expect(lab.events(1, "transition", group: "web").count == transitions.0, "\(lab.events(1, "transition", group: "web"))")
        #expect(lab.events(2, "transition", group: "web").count == transitions.1, "\(lab.events(2, "transition", group: "web"))")
    }

    @Test func anAddressAddedToAHeldGroupAppearsAndTheOldOneNeverDrops() async throws {
        let lab = try await Self.settled([Self.web])
        let old = try lab.probe("198.18.0.100")
        let transitions = lab.events(1, "transition", group: "web").count
        var web = Self.web
        web.addresses = ["198.18.0.100", "198.18.0.101"]
        for node in 1...2 { try lab.write(node, [web]) }
        let new = try await Self.reload(
            lab, until: "198.18.0.101", isOn: 1, within: .seconds(3), "198.18.0.101 on web1",
            failure: "the new address never appeared on web1: \(lab.lab.log(1))")
        try await Task.sleep(for: .milliseconds(300))
        Self.finish(old, "198.18.0.100 (kept while .101 is added)")
        // And back: the first address goes, the second stays.
        web.addresses = ["198.18.0.101"]
        for node in 1...2 { try lab.write(node, [web]) }
        try await lab.reload([1, 2])
        let removed = try await lab.lab.wait(.seconds(3)) { try lab.holders("198.18.0.100").isEmpty }
        #expect(removed != nil, "the removed address stayed on web1")
        try await Task.sleep(for: .milliseconds(300))
        Self.finish(new, "198.18.0.101 (kept while .100 is removed)")
        #expect(try lab.holders("198.18.0.101") == [1])
        #expect(lab.events(1, "transition", group: "web").count == transitions, "web saw no transition")
        #expect(lab.events(1, "reshape", group: "web").count == 2, "reshaped in place twice")
    }

    @Test func aRemovedGroupIsHandedOverThenReleasedAndTheOtherIsUntouched() async throws {
        let lab = try await Self.settled([Self.web, Self.api])
        let untouched = try lab.probe("198.18.0.100")
        defer { Self.finish(untouched, "web (untouched)") }
        let moving = try lab.probe("198.18.0.101")
        let transitions = (lab.events(1, "transition", group: "web").count, lab.events(2, "transition", group: "web").count)
        // web1 drops api: web2, which still has it, takes it over make-before-break.
        try lab.write(1, [Self.web])
        let reloaded = ContinuousClock.now
        try await lab.reload([1])
        #expect(try await lab.answered(by: 2, moving, after: reloaded), "web2 never answered for api: \(lab.lab.log(1))")
        let moved = try await lab.lab.wait(.seconds(3)) { try lab.holders("198.18.0.101") == [2] }
        #expect(moved != nil, "api did not end on web2 alone")
        try await Task.sleep(for: .milliseconds(300))
        Self.finish(moving, "api (handed over)")
        // web2 drops it too: nobody can take it, web2 releases it.
        try lab.write(2, [Self.web])
        try await lab.reload([2])
        let gone = try await lab.lab.wait(.seconds(5)) { try lab.holders("198.18.0.101").isEmpty }
        #expect(gone != nil, "web2 kept the removed group's address")
        #expect(try lab.holders("198.18.0.100") == [1])
        #expect(lab.events(1, "transition", group: "web").count == transitions.0, "\(lab.events(1, "transition", group: "web"))")
        #expect(lab.events(2, "transition", group: "web").count == transitions.1, "\(lab.events(2, "transition", group: "web"))")
    }

    /// A group whose placement changes (here `virtual_mac`: the addresses move to a macvlan) is handed
    /// over and claimed again. The standby reloads first (docs/operations.md), so that it is past its
    /// start-up listen for the group when the holder hands it over.
    @Test func aGroupWhoseMoverSettingsChangeIsHandedOverAndClaimedAgain() async throws {
        let lab = try await Self.settled([Self.web, Self.api])
        let untouched = try lab.probe("198.18.0.100")
        defer { Self.finish(untouched, "web (untouched)") }
        let moving = try lab.probe("198.18.0.101")
        let transitions = (lab.events(1, "transition", group: "web").count, lab.events(2, "transition", group: "web").count)
        var api = Self.api
        api.virtualMAC = 42
        try lab.write(2, [Self.web, api])
        try await lab.reload([2])
        try await Task.sleep(for: .milliseconds(600))
        try lab.write(1, [Self.web, api])
        let reloaded = ContinuousClock.now
        try await lab.reload([1])
        #expect(try await lab.answered(by: 2, moving, after: reloaded), "web2 never took api over: \(lab.lab.log(1))")
        let away = ContinuousClock.now
        #expect(try await lab.answered(by: 1, moving, after: away), "web1 never took api back: \(lab.lab.log(1))")
        print("api handed over and back \(ContinuousClock.now - reloaded) after the reload")
        let macvlan = try lab.lab.network.ip(lab.lab.namespace(1), "-4", "addr", "show", "dev", "fipvm42")
        #expect(macvlan.contains("198.18.0.101/32"), "web1 holds api on its macvlan now: \(macvlan)")
        try await Task.sleep(for: .milliseconds(300))
        Self.finish(moving, "api (remade)")
        #expect(lab.events(1, "reload").last?["groups"] as? [String: String] == ["api": "remade (virtual_mac changed)"])
        #expect(try lab.holders("198.18.0.100") == [1])
        #expect(lab.events(1, "transition", group: "web").count == transitions.0, "\(lab.events(1, "transition", group: "web"))")
        #expect(lab.events(2, "transition", group: "web").count == transitions.1, "\(lab.events(2, "transition", group: "web"))")
    }

    /// A required check added by a reload: the holder keeps its group while the check reports (no
    /// transition), and the check is live: when it fails, the group fails over.
    @Test func aRequiredCheckAddedByReloadIsLiveAndCostsTheHolderNothing() async throws {
        let lab = try await Self.settled([Self.web])
        let probe = try lab.probe("198.18.0.100")
        let transitions = lab.events(1, "transition", group: "web").count
        let gate = lab.lab.directory.appendingPathComponent("web1.gate")
        try Data().write(to: gate)
        let check = "{ name: gate, kind: file, target: \(gate.path), interval: 100ms, timeout: 90ms, rise: 1, fall: 1 }"
        try lab.write(1, [Self.web], checks: [check])
        try await lab.reload([1])
        #expect(lab.events(1, "reload").last?["summary"] as? String == "checks: gate added", "\(lab.events(1, "reload"))")
        try await Task.sleep(for: .milliseconds(500))
        Self.finish(probe, "web (a check added)")
        #expect(lab.events(1, "transition", group: "web").count == transitions, "\(lab.events(1, "transition"))")
        #expect(lab.events(1, "check").contains { $0["check"] as? String == "gate" && $0["to"] as? String == "passing" })
        try FileManager.default.removeItem(at: gate)
        let moved = try await lab.lab.wait(.seconds(5)) { try lab.holders("198.18.0.100") == [2] }
        #expect(moved != nil, "the new check failing did not move the group: \(lab.lab.log(1))")
    }

    /// The rolling procedure of docs/operations.md: a new secret, one node reloaded after the other
    /// (1.5 s apart, five dead intervals): nothing fails over meanwhile, and both end on the new secret.
    @Test func aNewSecretIsRolledOutOneNodeAtATimeWithoutAFailover() async throws {
        let lab = try await Self.settled([Self.web])
        let probe = try lab.probe("198.18.0.100")
        defer { Self.finish(probe, "web (secret rotated)") }
        let transitions = (lab.events(1, "transition").count, lab.events(2, "transition").count)
        let secret = lab.lab.directory.appendingPathComponent("secret")
        try Data("a new lab secret 0123456789abcdef\n".utf8).write(to: secret)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret.path)
        try await lab.reload([1])
        #expect(lab.events(1, "reload").last?["secret"] as? String == "rotating", "\(lab.events(1, "reload"))")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(lab.events(1, "secret_rotation").isEmpty, "web2 has not spoken the new secret yet")
        try await lab.reload([2])
        let rotated = try await lab.lab.wait(.seconds(5)) {
            (1...2).allSatisfy { lab.events($0, "secret_rotation").last?["outcome"] as? String == "every_peer" }
        }
        #expect(rotated != nil, "\(lab.events(1, "secret_rotation")) \(lab.events(2, "secret_rotation"))")
        #expect(try lab.holders("198.18.0.100") == [1])
        #expect(lab.events(1, "transition").count == transitions.0, "no transition on web1")
        #expect(lab.events(2, "transition").count == transitions.1, "no transition on web2")
    }

    @Test func anInvalidOrUnappliableFileChangesNothingAndSaysWhy() async throws {
        let lab = try await Self.settled([Self.web])
        let untouched = try lab.probe("198.18.0.100")
        defer { Self.finish(untouched, "web (untouched)") }
        let transitions = lab.events(1, "transition").count
        // Invalid: an unknown key, and a group that the agent would otherwise add.
        try lab.write(1, [Self.web, Self.api]) { $0 + "unknown_key: 1\n" }
        try await lab.reload([1])
        var record = try #require(lab.events(1, "reload").last)
        #expect(record["outcome"] as? String == "refused")
        #expect((record["reasons"] as? String)?.contains("unknown_key") == true, "\(record)")
        #expect(lab.lab.log(1).contains("reload refused, nothing changed"), "\(lab.lab.log(1))")
        // Valid, but the node's own address cannot change in place.
        try lab.write(1, [Self.web, Self.api]) { $0.replacingOccurrences(of: "address: 198.18.0.1 }", with: "address: 198.18.0.9 }") }
        try await lab.reload([1])
        record = try #require(lab.events(1, "reload").last)
        #expect(record["outcome"] as? String == "refused")
        #expect((record["reasons"] as? String)?.contains("node.address / node.port changed") == true, "\(record)")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try lab.holders("198.18.0.101").isEmpty, "the group in the refused files was not added")
        #expect(try lab.holders("198.18.0.100") == [1])
        #expect(lab.events(1, "transition").count == transitions, "no transition at all")
        // An unchanged file: nothing to do, and the agent says so.
        try lab.write(1, [Self.web])
        try await lab.reload([1])
        #expect(lab.events(1, "reload").last?["outcome"] as? String == "unchanged")
        let readable = try await lab.lab.floatip(1, ["events", "--config", lab.lab.config(1)])
        #expect(readable.stdout.contains("reload refused, nothing changed: "), "\(readable.stdout)")
        #expect(readable.stdout.contains("reload: nothing changed"), "\(readable.stdout)")
        lab.lab.signal(1, SIGTERM)
        #expect(try await lab.lab.waitForExit(1) == 0, "and it still stops cleanly")
    }
}
