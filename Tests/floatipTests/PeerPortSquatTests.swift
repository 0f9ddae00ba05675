import Foundation
import Glibc
import Testing

/// A local unprivileged user on a node cannot share or pre-empt the peer port (docs/security.md).
/// Before the fix the agent's socket had SO_REUSEADDR, so `nobody`'s socket with the option shared
/// the port and, `connect`ed to the holder, took its datagrams: the standby heard nothing and claimed.
@Suite(.serialized, .enabled(if: NamespaceSupport.available, .namespaces))
struct PeerPortSquatTests {
    /// Python run as `nobody` (uid 65534) in a node's namespace: a UDP socket with SO_REUSEADDR bound
    /// to `local`:7453 and connected to `remote`:7453, reading for `seconds`; prints `bound N` (N
    /// datagrams taken) or `error ERRNO`.
    static func squatter(local: String, remote: String, seconds: Double) -> String {
        """
        import socket, time
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(('\(local)', 7453))
        except OSError as e:
            print('error', e.errno, flush=True)
            raise SystemExit(0)
        s.connect(('\(remote)', 7453))
        s.settimeout(0.1)
        taken, end = 0, time.monotonic() + \(seconds)
        while time.monotonic() < end:
            try:
                s.recv(2048)
                taken += 1
            except socket.timeout:
                pass
        print('bound', taken, flush=True)
        """
    }

    static func asNobody(in namespace: String, _ script: String) -> [String] {
        ["ip", "netns", "exec", namespace, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         "/usr/bin/python3", "-c", script]
    }

    @Test func aLocalUserCannotTakeTheHoldersDatagrams() async throws {
        let lab = try AgentLab()
        try lab.start(1)
        try lab.start(2)
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        try await Task.sleep(for: .milliseconds(500))

        let script = Self.squatter(local: "198.18.0.2", remote: "198.18.0.1", seconds: 2)
        let squatter = Self.asNobody(in: lab.namespace(2), script)
        let squat = Task { try await offPool { try command(squatter) } }
        // Watch the addresses while the squatter tries: web2 must never claim.
        var samples = 0
        var web2Held = 0
        let clock = ContinuousClock()
        let end = clock.now + .milliseconds(2_500)
        while clock.now < end {
            if try lab.holds(2) { web2Held += 1 }
            samples += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        let output = try await squat.value.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(output == "error \(EADDRINUSE)", "nobody's socket must not bind the agent's port: \(output)")
        #expect(web2Held == 0, "web2 held the address in \(web2Held) of \(samples) samples\n\(lab.log(2))")
        #expect(!lab.log(2).contains("standby → holder"), "\(lab.log(2))")
        #expect(try lab.holders() == [1])
    }

    @Test func anAgentRefusesAPortAnotherUserHolds() async throws {
        let lab = try AgentLab()
        // nobody holds web2's port before its agent starts (as if it raced a restart).
        let script = Self.squatter(local: "198.18.0.2", remote: "198.18.0.1", seconds: 4)
        let squatter = Self.asNobody(in: lab.namespace(2), script)
        let squat = Task { try await offPool { try command(squatter) } }
        try await Task.sleep(for: .milliseconds(500))
        try lab.start(2)
        let exited = try await lab.wait(.seconds(10)) { lab.agents["web2"]?.isRunning == false }
        try #require(exited != nil, "the agent must exit, not run beside the squatter\n\(lab.log(2))")
        let status = try await lab.waitForExit(2)
        #expect(status == 1, "the agent does not start on a port it would share")
        let log = lab.log(2)
        #expect(log.contains("port 7453") && log.contains("uid 65534 (nobody)"), "the owner is named: \(log)")
        #expect(log.contains("docs/security.md"))
        #expect(try !lab.holds(2))
        _ = try await squat.value
    }
}
