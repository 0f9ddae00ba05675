import FloatIPCore
import Foundation
import Testing

/// Interface tracking by default (docs/config.md, "Interface tracking"), with two real agents whose config
/// has no `interface` check at all (only a `file` check): the holder's link going down makes it release at
/// once (role `fault`) and the standby take over; a link that comes back for less than the rise window
/// leaves the ex-holder in `fault`; once the link stays up, the ex-holder becomes a candidate after the rise
/// window and takes the group back only after `preempt_delay` on top (make-before-break).
///
/// Before interface tracking, the holder kept the address on its dead link (two holders, the test's first
/// `until` fails) and took the group back by rank the moment the link returned.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct InterfaceTrackingEndToEndTests {
    /// AgentLab's `preempt_delay`.
    static let preemptDelay: Duration = .seconds(1)

    static func link(_ lab: AgentLab, _ node: Int, _ state: String) throws {
        try lab.network.ip(lab.namespace(node), "link", "set", "eth0", state)
    }

    /// Node `node`'s event log lines of one kind, each as `from→to`: changes of the check `check`, or else
    /// the role changes of the group `web` from the first `holder→fault` on (a new reason in the same role
    /// is a `transition` line too, `fault→fault`: left out).
    static func changes(_ lab: AgentLab, _ node: Int, check: String? = nil) -> [String] {
        let pairs = lab.events(node).filter { event in
            if let check { return event["event"] as? String == "check" && event["check"] as? String == check }
            return event["event"] as? String == "transition" && event["group"] as? String == "web"
        }.map { ($0["from"] as? String ?? "?", $0["to"] as? String ?? "?") }
        if check != nil { return pairs.map { "\($0)→\($1)" } }
        return pairs.filter { $0 != $1 }.map { "\($0)→\($1)" }.drop { $0 != "holder→fault" }.map { $0 }
    }

    @Test func theHoldersLinkDownFaultsItAndItsReturnWaitsForTheRiseWindowAndPreemptDelay() async throws {
        let lab = try AgentLab()
        #expect(!(try String(contentsOfFile: lab.config(1), encoding: .utf8)).contains("kind: interface"))
        try lab.start(1)
        try lab.start(2)
        let watch = try NetlinkHolders(lab).watch()  // netlink dumps every 5 ms
        let first = try await watch.until(.seconds(10)) { $0 == [1] }
        #expect(first != nil, "web1 never held\n\(lab.log(1))")
        guard first != nil else { return }
        _ = try await watch.until(.seconds(1)) { _ in false }  // steady: web2 a healthy standby
        #expect(lab.log(1).contains("1 check(s) + link eth0"), "the start line names the implicit check\n\(lab.log(1))")

        // web1's link goes down: it releases at once (fall 1, on the netlink event); web2 claims after its
        // dead interval.
        let down = ContinuousClock.now  // before the command: the times below are upper bounds
        try Self.link(lab, 1, "down")
        let released = try await watch.until(.seconds(5)) { !$0.contains(1) }.map { _ in ContinuousClock.now - down }
        let moved = try await watch.until(.seconds(5)) { $0 == [2] }.map { _ in ContinuousClock.now - down }
        #expect(released != nil && moved != nil,
                "web2 never became the only holder (web1 kept the address on its dead link)\n\(lab.log(1))\n\(lab.log(2))")
        guard let released, let moved else { return }
        #expect(released < .milliseconds(300), "web1 released before web2's dead interval ended")
        let json = try await lab.floatip(1, ["status", "--config", lab.config(1), "--json"])
        let status = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let group = (status?["groups"] as? [[String: Any]])?.first
        #expect(group?["role"] as? String == "fault", "\(json.stdout)")
        #expect((group?["reason"] as? String)?.contains("required check link eth0 failing: eth0 is down") == true,
                "\(json.stdout)")
        let link = (status?["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "link eth0" }
        #expect(link?["kind"] as? String == "interface" && link?["state"] as? String == "failing"
            && link?["required"] as? Bool == true, "\(json.stdout)")

        // A flap: up for 1 s (shorter than the rise window), down, up again. web1 stays in fault throughout.
        try Self.link(lab, 1, "up")
        _ = try await watch.until(.seconds(1)) { _ in false }
        try Self.link(lab, 1, "down")
        _ = try await watch.until(.milliseconds(500)) { _ in false }
        #expect(Self.changes(lab, 1) == ["holder→fault"], "no standby during the flap")
        #expect(Self.changes(lab, 1, check: "link eth0") == ["unknown→passing", "passing→failing"])

        // The link comes back for good: a candidate after the rise window, the holder after preempt_delay more.
        let up = ContinuousClock.now
        try Self.link(lab, 1, "up")
        var eligible: Duration?
        while ContinuousClock.now - up < .seconds(10), eligible == nil {
            if Self.changes(lab, 1).contains("fault→standby") { eligible = ContinuousClock.now - up }
            try await Task.sleep(for: .milliseconds(10))
        }
        let back = try await watch.until(.seconds(10)) { $0.contains(1) }.map { _ in ContinuousClock.now - up }
        _ = try await watch.until(.seconds(5)) { $0 == [1] }
        print("interface tracking e2e: web1's link down → web1 released after \(released.shortDescription), web2 "
            + "holds after \(moved.shortDescription); link back → web1 standby after "
            + "\(eligible?.shortDescription ?? "never"), holds again after \(back?.shortDescription ?? "never"); "
            + "\(watch.samples) samples, \(watch.doubleHeld) with two holders")
        let window = InterfaceTracking.riseWindow
        #expect(eligible.map { $0 >= window } == true, "standby only after the link stayed up \(window)\n\(lab.log(1))")
        #expect(back.map { $0 >= window + Self.preemptDelay } == true, "no failback before rise + preempt_delay")
        #expect(back.map { $0 < .seconds(6) } == true, "but it fails back")
        #expect(Self.changes(lab, 1) == ["holder→fault", "fault→standby", "standby→holder"],
                "\(lab.log(1))")
        #expect(Self.changes(lab, 1, check: "link eth0") == ["unknown→passing", "passing→failing", "failing→passing"])
        #expect(lab.log(2).contains("standby → holder"), "\(lab.log(2))")
    }
}
