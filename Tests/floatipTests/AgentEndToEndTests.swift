import FloatIPCore
import Foundation
import Glibc
import Testing

/// The real `floatip agent` on two servers in namespaces.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct AgentEndToEndTests {
    let timers = Timers()

    @Test func theStandbyTakesOverWhenTheHolderIsKilled() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))\n\(lab.log(2))")
        lab.signal(1, SIGKILL)
        let took = try await lab.wait(.seconds(3)) { try lab.holds(2) }
        let failover = try #require(took, "\(lab.log(2))")
        print("agent failover after SIGKILL, seen from outside: \(failover.shortDescription)")
        #expect(failover < timers.interval * (timers.deadAfter + 2) + .milliseconds(300), "generous bound")
        // The killed agent could not release: its address expires by itself (3 s lifetime).
        #expect(try await lab.wait(.seconds(6)) { try !lab.holds(1) } != nil)
        #expect(try lab.holders() == [2])
        #expect(lab.log(2).contains("holder web1 silent for"))
    }

    @Test func aCleanStopHandsOverAndTheNodeTakesItBackWhenItReturns() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil)
        lab.signal(1, SIGTERM)
        #expect(try await lab.waitForExit(1) == 0)
        #expect(try lab.holders() == [2], "handed over before it exited")
        #expect(lab.log(1).contains("handed over to web2"), "\(lab.log(1))")
        // web1 comes back: failback after preempt_delay (1 s), make-before-break.
        try lab.start(1)
        #expect(try await lab.wait(.seconds(6)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        #expect(lab.log(1).contains("failback"))
    }

    @Test func aFailingRequiredCheckMovesTheGroupAndItComesBack() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        #expect(try await lab.wait(.seconds(3)) { try lab.holders() == [2] } != nil, "\(lab.log(1))")
        #expect(lab.log(1).contains("required check service failing"), "\(lab.log(1))")
        try Data().write(to: lab.serviceFile(1))
        // Healthy again: failback after preempt_delay (1 s).
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
    }

    @Test func theOperatorMovesTheGroupThroughTheCLIAndTheEventLogRecordsIt() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        // Without the right token: 401, nothing changes.
        let wrongToken = lab.directory.appendingPathComponent("wrong-token")
        try Data("not the api token at all\n".utf8).write(to: wrongToken)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrongToken.path)
        let refused = try await lab.floatip(1, ["maintenance", "on", "--api", "127.0.0.1:7454", "--token-file", wrongToken.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("401"), "\(refused.stderr)")
        // Switchover asked of the standby: the engine's reason, as it is.
        let notHere = try await lab.floatip(2, ["switchover", "web", "--config", lab.config(2)])
        #expect(notHere.status == 1)
        #expect(notHere.stderr.contains("this node does not hold web; web1 does: run the switchover there"), "\(notHere.stderr)")
        #expect(try lab.holders() == [1])

        // Maintenance on web1 moves the group to web2; web2's status shows it with the reason.
        let on = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.stdout.contains("maintenance on for the whole node"))
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [2] } != nil, "\(lab.log(1))")
        let status = try await lab.floatip(2, ["status", "--config", lab.config(2)])
        #expect(status.status == 0, "\(status.stderr)")
        let row = status.stdout.split(separator: "\n").first { $0.hasPrefix("web ") }.map(String.init) ?? ""
        #expect(row.contains("holder") && row.contains("web2"), "\(status.stdout)")
        #expect(row.contains("web1 handed the group over to me (maintenance)"), "the reason: \(status.stdout)")
        #expect(status.stdout.contains("alive"), "peers: \(status.stdout)")
        #expect(status.stdout.contains("service"), "checks: \(status.stdout)")
        let json = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let group = (parsed?["groups"] as? [[String: Any]])?.first
        #expect(group?["role"] as? String == "maintenance", "\(json.stdout)")
        #expect(group?["holder"] as? String == "web2")

        // Out of maintenance: web1 takes the group back after preempt_delay; then a measured switchover.
        let off = try await lab.floatip(1, ["maintenance", "off", "--config", lab.config(1)])
        #expect(off.status == 0, "\(off.stderr)")
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        let moved = try await lab.floatip(1, ["switchover", "web", "--config", lab.config(1)])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.hasPrefix("web: moved to web2 in "), "\(moved.stdout)")
        print("switchover through the CLI: \(moved.stdout)", terminator: "")

        // The event log has the transitions, claims, releases and operator commands as JSON lines.
        let events = lab.events(1)
        let kinds = events.compactMap { $0["event"] as? String }
        #expect(kinds.first == "start")
        #expect(kinds.contains("claim") && kinds.contains("release") && kinds.contains("check"), "\(kinds)")
        #expect(events.contains { $0["event"] as? String == "transition" && $0["to"] as? String == "maintenance" })
        #expect(events.contains { $0["event"] as? String == "maintenance" && $0["on"] as? Bool == true })
        #expect(events.contains { $0["event"] as? String == "switchover" && $0["target"] as? String == "web2" })
        #expect(events.allSatisfy { $0["mono_ms"] is Double || $0["mono_ms"] is Int })
        let readable = try await lab.floatip(1, ["events", "--config", lab.config(1)])
        #expect(readable.stdout.contains("operator: maintenance on for the whole node"), "\(readable.stdout)")
        #expect(readable.stdout.contains("web: standby → holder: failback"), "\(readable.stdout)")

        // No agent there: a clear error.
        let nobody = try await lab.floatip(1, ["status", "--api", "127.0.0.1:7999"])
        #expect(nobody.status == 1)
        #expect(nobody.stderr.contains("cannot reach the agent at 127.0.0.1:7999: connection refused — is floatip agent running?"),
                "\(nobody.stderr)")
    }

    @Test func afterAPartitionHealsExactlyOneHolderRemains() async throws {
        let lab = try AgentLab()
        let client = try lab.addClient()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil)
        try await Task.sleep(for: .milliseconds(200))
        try lab.touchFloatingAddress(from: client)
        let (web1, web2) = (try lab.mac(1), try lab.mac(2))
        #expect(try await lab.wait(.seconds(2)) { try lab.clientNeighbour(client) == web1 } != nil)
        // The nodes' ports are isolated from each other, not from the client's.
        try lab.partition(true)
        // Cut off from each other, both sides hold (no quorum without a witness); web2's
        // announcement moves the client to it.
        #expect(try await lab.wait(.seconds(3)) { try lab.holders() == [1, 2] } != nil, "\(lab.log(2))")
        #expect(try await lab.wait(.seconds(2)) { try lab.clientNeighbour(client) == web2 } != nil)
        try lab.partition(false)
        let healed = try await lab.wait(.seconds(3)) { try lab.holders() == [1] }
        #expect(healed != nil, "\(lab.log(2))")
        print("split brain resolved \((healed ?? .zero).shortDescription) after the heal")
        try await Task.sleep(for: .milliseconds(500))
        #expect(try lab.holders() == [1], "and it stays resolved")
        #expect(lab.log(2).contains("also holds and ranks higher"), "\(lab.log(2))")
        // The winner announces again when the conflict ends: the client ends at it.
        let entry = try lab.clientNeighbour(client)
        #expect(entry == web1, "client's entry: \(entry ?? "none"); web1 \(web1), web2 \(web2)")
    }

    @Test func aPeerWithTheWrongSecretIsRejectedAndCounted() async throws {
        let lab = try AgentLab(wrongSecret: [2])
        try lab.start(1)
        try lab.start(2)
        // Neither accepts the other: each holds alone, and each counts the other's datagrams as bad_auth.
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1, 2] } != nil)
        let status = try CLITests.run(
            ["status", "--json", "--config", lab.directory.appendingPathComponent("web1.yaml").path],
            via: ["ip", "netns", "exec", lab.namespace(1)], limit: .seconds(10))
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"bad_auth\""), "\(status.stdout)")
        #expect(status.stdout.contains("\"state\":\"never\"") || status.stdout.contains("\"state\" : \"never\""), "\(status.stdout)")
    }

    @Test func theOnHolderHookRunsWithTheRoleInItsEnvironment() async throws {
        let lab = try AgentLab(hooks: true)
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { lab.hookLines() == ["web1 holder starting 198.18.0.100"] } != nil,
                "\(lab.hookLines())\n\(lab.log(1))")
        lab.signal(1, SIGKILL)
        #expect(try await lab.wait(.seconds(5)) { lab.hookLines().last == "web2 holder standby 198.18.0.100" } != nil,
                "\(lab.hookLines())\n\(lab.log(2))")
    }
}
