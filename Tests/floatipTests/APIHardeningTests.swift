import FloatIPCore
import Foundation
import Glibc
import Testing

/// The operator's API against local users, with the real agent in namespaces: a flood of idle TCP
/// connections from an unprivileged user, and a process squatting on the TCP port.
@Suite(.serialized, .enabled(if: NamespaceSupport.available && RawHTTP.available, .namespaces))
struct APIHardeningTests {
    /// Opens COUNT connections to HOST PORT without sending a byte, prints `opened N connected M`,
    /// holds them HOLD seconds and exits (closing them all). Bounded: one pass of COUNT connects.
    static let flood = """
        import socket, sys, time
        host, port, count, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
        sockets = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            sockets.append(s)
        time.sleep(2)
        connected = 0
        for s in sockets:
            try:
                s.getpeername()
                connected += 1
            except OSError:
                pass
        print("opened %d connected %d" % (len(sockets), connected), flush=True)
        time.sleep(hold)
        """

    /// Listens on 127.0.0.1:7454 as a squatter would, and appends every request it gets to LOG.
    static let squatter = """
        import socket, sys
        log = sys.argv[1]
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 7454))
        server.listen(16)
        open(log + ".ready", "w").close()
        while True:
            connection, _ = server.accept()
            connection.settimeout(2)
            try:
                data = connection.recv(65536)
            except OSError:
                data = b""
            with open(log, "ab") as f:
                f.write(data + b"\\n--\\n")
            connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\n{}")
            connection.close()
        """

    /// The number of descriptors process `pid` has open.
    static func descriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test func twoThousandIdleConnectionsFromNobodyLeaveHeartbeatsChecksClaimsAndTheSocketWorking() async throws {
        let lab = try AgentLab(hooks: true)
        try lab.start(1)
        // web2 with systemd's default soft limit (1024, what the unit had before LimitNOFILE): the
        // connection cap, not a large limit, is what keeps the agent's descriptors free.
        try lab.start(2, launcher: ["prlimit", "--nofile=1024:1024", "--"])
        #expect(try await lab.wait(.seconds(5)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        let agent = try #require(lab.agents["web2"]).processIdentifier
        let script = lab.directory.appendingPathComponent("flood.py")
        try Self.flood.write(to: script, atomically: true, encoding: .utf8)
        let floodLog = lab.directory.appendingPathComponent("flood.log").path
        let flood = try ServerProcess.start(
            ["prlimit", "--nofile=4096:4096", "--", "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             RawHTTP.python, script.path, "127.0.0.1", "7454", "2000", "12"],
            namespace: lab.namespace(2), log: floodLog)
        defer { ServerProcess.end(flood) }
        let opened = try await lab.wait(.seconds(10)) {
            ((try? String(contentsOfFile: floodLog, encoding: .utf8)) ?? "").contains("opened")
        }
        try #require(opened != nil, "the flood did not start: \(ServerProcess.tail(floodLog))")
        print("flood: \(ServerProcess.tail(floodLog, lines: 1)); web2's agent has \(Self.descriptors(agent)) descriptors open")
        #expect(Self.descriptors(agent) < 512, "the cap bounds the agent's descriptors")

        // During the flood: the operator's socket answers, and a failover to web2 happens (its
        // checks and heartbeats run, it claims, its hook runs).
        let status = try await lab.floatip(2, ["status", "--json", "--config", lab.config(2)])
        #expect(status.status == 0, "the socket answers during the flood: \(status.stderr)")
        #expect(status.stdout.contains("\"web1\""), "\(status.stdout)")
        try FileManager.default.removeItem(at: lab.serviceFile(1))
        #expect(try await lab.wait(.seconds(4)) { try lab.holders() == [2] } != nil, "\(lab.log(2))")
        #expect(try await lab.wait(.seconds(3)) { lab.hookLines().contains { $0.hasPrefix("web2 holder") } } != nil,
                "web2's hook ran during the flood: \(lab.hookLines())\n\(lab.log(2))")
        let after = try await lab.floatip(2, ["status", "--json", "--config", lab.config(2)])
        #expect(after.status == 0 && after.stdout.contains("\"holder\""), "\(after.stderr)")
        #expect(flood.isRunning, "the flood still holds its connections")
        #expect(lab.agents["web2"]?.isRunning == true, "\(lab.log(2))")
    }

    @Test func aServerSquattingOnTheTCPPortNeverSeesTheToken() async throws {
        let lab = try AgentLab(apiListen: "off")
        try lab.start(1)
        #expect(try await lab.wait(.seconds(8)) { try lab.holders() == [1] } != nil, "\(lab.log(1))")
        let script = lab.directory.appendingPathComponent("squatter.py")
        try Self.squatter.write(to: script, atomically: true, encoding: .utf8)
        let received = lab.directory.appendingPathComponent("squatted.log").path
        let squatter = try ServerProcess.start(
            [RawHTTP.python, script.path, received], namespace: lab.namespace(1), log: received + ".out")
        defer { ServerProcess.end(squatter) }
        try #require(try await lab.wait(.seconds(5)) { FileManager.default.fileExists(atPath: received + ".ready") } != nil,
                     "\(ServerProcess.tail(received + ".out"))")

        // The operator's commands, as documented, with the config that names the token file.
        let on = try await lab.floatip(1, ["maintenance", "on", "--config", lab.config(1)])
        #expect(on.status == 0, "over the socket: \(on.stderr)")
        let status = try await lab.floatip(1, ["status", "--json", "--config", lab.config(1)])
        #expect(status.stdout.contains("\"maintenance\""), "\(status.stdout)")
        let off = try await lab.floatip(1, ["maintenance", "off", "--config", lab.config(1)])
        #expect(off.status == 0, "\(off.stderr)")
        _ = try await lab.floatip(1, ["switchover", "web", "--config", lab.config(1)])
        // And with only the token file given (no --config): still the socket, still no token sent.
        _ = try await lab.floatip(1, ["maintenance", "on", "--token-file", lab.directory.appendingPathComponent("token").path])
        let seen = (try? String(contentsOfFile: received, encoding: .utf8)) ?? ""
        #expect(!seen.lowercased().contains("authorization"), "the squatter got the token:\n\(seen)")
        #expect(!seen.contains("lab api token"), "\(seen)")
        #expect(seen.isEmpty, "the CLI never talked to TCP:\n\(seen)")
    }

    @Test func checkConfigAndTheAgentWarnThatANonLoopbackListenCarriesTheTokenInClear() async throws {
        let lab = try AgentLab(apiListen: "\"0.0.0.0:7454\"")
        let run = try CLITests.run(["check-config", lab.config(1)], limit: .seconds(20))
        #expect(run.status == 0, "a warning, not an error: \(run.stderr)")
        #expect(run.stderr.contains("api.listen: warning: 0.0.0.0:7454 is not a loopback address"), "\(run.stderr)")
        #expect(run.stderr.contains("cross the network in clear"), "\(run.stderr)")
        let local = try CLITests.run(["check-config", try AgentLab().config(1)], limit: .seconds(20))
        #expect(!local.stderr.contains("api.listen: warning"), "\(local.stderr)")
        // The agent runs check-config's rules at start and logs what they find, at their level.
        try lab.start(1)
        let warned = try await lab.wait(.seconds(5)) {
            lab.log(1).contains("web1 warning config: \(lab.config(1)): api.listen: 0.0.0.0:7454 is not a loopback address")
        }
        lab.signal(1, SIGTERM)
        _ = try await lab.waitForExit(1)
        #expect(warned != nil, "\(lab.log(1))")
    }
}
