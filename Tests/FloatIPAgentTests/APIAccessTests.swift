import FloatIPCore
import FloatIPTestSupport
import Foundation
import Glibc
import Testing

@testable import FloatIPAgent

/// Who gets in through which listener, over real sockets: the Unix socket (mode, SO_PEERCRED, no
/// token), TCP (`Host` against DNS rebinding, the token), and a socket path another agent serves.
@Suite(.serialized) struct APIAccessTests {
    /// A fresh directory (mode 0755, so another user can reach a socket in it) and a socket path there.
    static func socketDirectory() throws -> (URL, String) {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("fip-api-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        return (directory, directory.appendingPathComponent("api.sock").path)
    }

    static func startSocket(_ fixture: APITests.Fixture, _ path: String) async throws -> APIServer {
        let server = APIServer(listener: .unixSocket(path: path))
        _ = try await server.start { running in
            makeAPIApplication(
                agent: fixture.pair.web1, api: APIConfig(), listener: .unixSocket(path: path), token: APITests.token,
                eventLog: fixture.eventLog, onServerRunning: running)
        }
        return server
    }

    static func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    @Test(.enabled(if: RawHTTP.available, "needs /usr/bin/python3"))
    func theSocketServesTheOperatorWithoutATokenAndIsClosedToOthersByItsMode() async throws {
        let fixture = try APITests.Fixture()
        try await fixture.start()
        let (directory, path) = try Self.socketDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await Self.startSocket(fixture, path)
        // 0660 group floatip where the group exists, else root only.
        #expect(Self.mode(path) == (PeerPolicy.current().groupID == nil ? 0o600 : 0o660))
        let body = #"{"on": true}"#
        let answer = try await offPool {
            try RawHTTP.send(RawHTTP.request("POST", "/v1/maintenance", headers: [], body: body), unix: true, to: path)
        }
        #expect(RawHTTP.status(answer) == 200, "\(answer)")
        #expect(await fixture.pair.web1.status().groups.first?.role == "maintenance")
        let recorded = fixture.events().last { $0["event"] as? String == "maintenance" }
        #expect((recorded?["remote"] as? String)?.hasPrefix("uid \(getuid()) pid ") == true, "who asked: \(recorded ?? [:])")
        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: path), "the socket is removed when the API stops")
        await fixture.stop()
    }

    @Test(.enabled(if: getuid() == 0 && RawHTTP.available, "needs root (setpriv) and /usr/bin/python3"))
    func aPeerThatIsNeitherRootNorInGroupFloatipIsRefusedEvenWhenTheModeWasLoosened() async throws {
        let fixture = try APITests.Fixture()
        try await fixture.start()
        let (directory, path) = try Self.socketDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await Self.startSocket(fixture, path)
        #expect(chmod(path, 0o666) == 0)
        let status = RawHTTP.request("GET", "/v1/status", headers: [])
        let nobody = try await offPool { try RawHTTP.send(status, unix: true, to: path, uid: 65534) }
        #expect(RawHTTP.status(nobody) == 403, "\(nobody)")
        #expect(nobody.contains("uid 65534"), "\(nobody)")
        let maintenance = RawHTTP.request("POST", "/v1/maintenance", headers: [], body: #"{"on": true}"#)
        let refused = try await offPool { try RawHTTP.send(maintenance, unix: true, to: path, uid: 65534) }
        #expect(RawHTTP.status(refused) == 403, "\(refused)")
        #expect(await fixture.pair.web1.status().groups.first?.role == "holder", "nothing changed")
        let root = try await offPool { try RawHTTP.send(status, unix: true, to: path) }
        #expect(RawHTTP.status(root) == 200, "\(root)")
        await server.stop()
        await fixture.stop()
    }

    @Test(.enabled(if: getuid() == 0 && RawHTTP.available, "needs root (setpriv, chown) and /usr/bin/python3"))
    func aMemberOfTheGroupGetsInThroughMode0660() async throws {
        let fixture = try APITests.Fixture()
        try await fixture.start()
        let (directory, path) = try Self.socketDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A group id no account uses: the kernel needs no /etc/group entry to honour it.
        let group = 48_213
        let policy = PeerPolicy(ownUID: 0, groupID: UInt32(group))
        let server = APIServer(listener: .unixSocket(path: path))
        _ = try await server.start { running in
            makeAPIApplication(
                agent: fixture.pair.web1, api: APIConfig(), listener: .unixSocket(path: path), token: nil,
                policy: policy, onServerRunning: running)
        }
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o7777 == 0o660 && info.st_gid == group)
        let request = RawHTTP.request("POST", "/v1/maintenance", headers: [], body: #"{"on": true}"#)
        let member = try await offPool { try RawHTTP.send(request, unix: true, to: path, uid: 65534, groups: [group]) }
        #expect(RawHTTP.status(member) == 200, "\(member)")
        #expect(await fixture.pair.web1.status().groups.first?.role == "maintenance")
        // Not a member: the mode keeps it out before the agent is asked.
        let other = try await offPool { try RawHTTP.send(request, unix: true, to: path, uid: 65534) }
        #expect(other.contains("Permission denied"), "\(other)")
        await server.stop()
        await fixture.stop()
    }

    @Test func aSocketAnotherAgentServesIsLeftAloneAndAStaleOneIsReplaced() async throws {
        let fixture = try APITests.Fixture()
        let (directory, path) = try Self.socketDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await Self.startSocket(fixture, path)
        do {
            let second = try await Self.startSocket(fixture, path)
            await second.stop()
            Issue.record("a second server took a socket that is served")
        } catch let error as APIServerError {
            #expect(error.description.hasPrefix("api.socket \(path): cannot listen there: another process"), "\(error)")
        }
        await first.stop()
        // A stale socket: bound, then its process gone without removing it.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(stale)
        let again = try await Self.startSocket(fixture, path)
        await again.stop()
        await fixture.stop()
    }

    @Test(.enabled(if: RawHTTP.available, "needs /usr/bin/python3"))
    func tcpAnswersOnlyRequestsAddressedToItsIPOrLocalhost() async throws {
        let fixture = try APITests.Fixture()
        try await fixture.start()
        let server = APIServer(listen: "127.0.0.1:0")
        let port = try await server.start { running in
            makeAPIApplication(agent: fixture.pair.web1, api: APIConfig(listenPort: 0), token: APITests.token,
                               onServerRunning: running)
        }
        func status(_ headers: [String], version: String = "HTTP/1.1") async throws -> String {
            let request = RawHTTP.request("GET", "/v1/status", headers: headers, version: version)
            return try await offPool { try RawHTTP.send(request, unix: false, to: "127.0.0.1:\(port)") }
        }
        let rebound = try await status(["Host: attacker.example:\(port)"])
        #expect(RawHTTP.status(rebound) == 421, "\(rebound)")
        #expect(rebound.contains("DNS rebinding"), "\(rebound)")
        #expect(RawHTTP.status(try await status(["Host: 127.0.0.1:1"])) == 200, "another port: a tunnel's")
        #expect(RawHTTP.status(try await status(["Host: 127.0.0.1:\(port)"])) == 200)
        #expect(RawHTTP.status(try await status(["Host: localhost:\(port)"])) == 200)
        #expect(RawHTTP.status(try await status([], version: "HTTP/1.0")) == 200, "no Host at all")
        // Over TCP a change still needs the token.
        let request = RawHTTP.request("POST", "/v1/maintenance", headers: ["Host: 127.0.0.1:\(port)"], body: #"{"on": true}"#)
        let unauthorised = try await offPool { try RawHTTP.send(request, unix: false, to: "127.0.0.1:\(port)") }
        #expect(RawHTTP.status(unauthorised) == 401, "\(unauthorised)")
        await server.stop()
        await fixture.stop()
    }

    @Test(.enabled(if: RawHTTP.available, "needs /usr/bin/python3"))
    func anIdleConnectionIsClosed() async throws {
        let fixture = try APITests.Fixture()
        let server = APIServer(listen: "127.0.0.1:0")
        let port = try await server.start { running in
            makeAPIApplication(agent: fixture.pair.web1, api: APIConfig(listenPort: 0), token: nil,
                               idleTimeout: .milliseconds(300), onServerRunning: running)
        }
        // Connects, sends nothing, and prints how long until the server closed (or `open` after 5 s).
        let script = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
            start = time.monotonic()
            try:
                data = s.recv(1)
                print("closed %.2f" % (time.monotonic() - start) if not data else "data")
            except socket.timeout:
                print("open")
            """
        let run = try await offPool { try ExternalTool.run([RawHTTP.python, "-c", script, "\(port)"], limit: .seconds(20)) }
        let seconds = run.stdout.hasPrefix("closed ") ? Double(run.stdout.dropFirst(7).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
        #expect(seconds.map { $0 < 2 } == true, "an idle connection is closed after the idle timeout: \(run.stdout)\(run.stderr)")
        await server.stop()
        await fixture.stop()
    }

    @Test func hostCheckRules() {
        let loopback = HostCheck(listenAddress: .ipv4(127, 0, 0, 1), port: 7454)
        #expect(loopback.refusal(authority: nil, arrivedOn: nil) == nil)
        #expect(loopback.refusal(authority: "127.0.0.1:7454", arrivedOn: .ipv4(127, 0, 0, 1)) == nil)
        #expect(loopback.refusal(authority: "LOCALHOST:7454", arrivedOn: .ipv4(127, 0, 0, 1)) == nil)
        #expect(loopback.refusal(authority: "rebind.example:7454", arrivedOn: .ipv4(127, 0, 0, 1)) != nil)
        #expect(loopback.refusal(authority: "127.0.0.1", arrivedOn: nil) == nil, "no port: the name decides")
        #expect(loopback.refusal(authority: "localhost", arrivedOn: nil) == nil)
        #expect(loopback.refusal(authority: "rebind.example", arrivedOn: nil) != nil)
        #expect(loopback.refusal(authority: "198.18.0.1:7454", arrivedOn: .ipv4(127, 0, 0, 1)) != nil)
        let wildcard = HostCheck(listenAddress: .ipv4(0, 0, 0, 0), port: 7454)
        #expect(wildcard.refusal(authority: "198.18.0.1:7454", arrivedOn: .ipv4(198, 18, 0, 1)) == nil)
        #expect(wildcard.refusal(authority: "localhost:7454", arrivedOn: .ipv4(198, 18, 0, 1)) != nil)
        let v6 = HostCheck(listenAddress: IPAddress("::1")!, port: 7454)
        #expect(v6.refusal(authority: "[::1]:7454", arrivedOn: IPAddress("::1")) == nil)
        #expect(v6.refusal(authority: "[::1", arrivedOn: nil) != nil)
        // An SSH tunnel or a proxy forwards another port: an IP literal or localhost is no rebinding.
        #expect(loopback.refusal(authority: "localhost:8080", arrivedOn: .ipv4(127, 0, 0, 1)) == nil)
        #expect(loopback.refusal(authority: "rebind.example:8080", arrivedOn: .ipv4(127, 0, 0, 1)) != nil)
        // A dual-stack listener ([::]) sees IPv4 clients as ::ffff:a.b.c.d.
        let dual = HostCheck(listenAddress: IPAddress("::")!, port: 7454)
        #expect(dual.refusal(authority: "198.18.0.1:7454", arrivedOn: IPAddress("::ffff:198.18.0.1")) == nil)
        #expect(dual.refusal(authority: "localhost:7454", arrivedOn: IPAddress("::ffff:127.0.0.1")) == nil)
        #expect(dual.refusal(authority: "rebind.example:7454", arrivedOn: IPAddress("::ffff:127.0.0.1")) != nil)
    }

    @Test func peerPolicyLetsInRootTheAgentsUserAndGroupFloatip() {
        let policy = PeerPolicy(ownUID: 0, groupID: 990)
        #expect(policy.refusal(PeerCredentials(pid: 1, uid: 0, gid: 0), groups: []) == nil)
        #expect(policy.refusal(PeerCredentials(pid: 1, uid: 1000, gid: 990), groups: []) == nil)
        #expect(policy.refusal(PeerCredentials(pid: 1, uid: 1000, gid: 1000), groups: [27, 990]) == nil)
        let refused = policy.refusal(PeerCredentials(pid: 42, uid: 1000, gid: 1000), groups: [27])
        #expect(refused?.contains("uid 1000 (pid 42)") == true && refused?.contains("group floatip") == true)
        let noGroup = PeerPolicy(ownUID: 0, groupID: nil)
        #expect(noGroup.refusal(PeerCredentials(pid: 1, uid: 1000, gid: 990), groups: [990])?.contains("only root") == true)
    }

    @Test func supplementaryGroupsAreReadFromProc() {
        let me = PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())
        var groups = [gid_t](repeating: 0, count: 256)
        let count = getgroups(Int32(groups.count), &groups)
        #expect(Set(me.supplementaryGroups()) == Set(groups.prefix(Int(max(count, 0)))))
    }
}
