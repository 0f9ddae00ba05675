import FloatIPTestSupport
import Foundation
import Glibc

/// A real BIRD 2 in a test's namespace, as the router a floatip node peers with: passive (it waits
/// for the node to connect), importing whatever the node announces and exporting nothing. Runs in
/// the foreground (ended by PID), with its config, control socket and log in a scratch directory.
final class BIRDRouter {
    let namespace: String
    let scratch: ScratchDirectory
    private(set) var process: Process?

    /// `bird` and `birdc`, or nil after saying why the test is skipped (a failure in CI).
    static func available(for purpose: String) -> Bool {
        ExternalTool.find("bird", for: purpose, package: "bird2") != nil && ExternalTool.path(of: "birdc") != nil
    }

    /// BIRD as AS `asn` at `address`, peering with `peer` (AS `peerASN`).
    /// `password`: TCP-MD5 (RFC 2385) on the session.
    init(namespace: String, address: String, asn: UInt32, peer: String, peerASN: UInt32, holdTime: Int = 9, password: String? = nil) throws {
        self.namespace = namespace
        scratch = try ScratchDirectory("floatip-bird")
        try """
            router id \(address);
            log "\(scratch.file("bird.log"))" all;
            protocol device { scan time 1; }
            protocol bgp floatip {
                local \(address) as \(asn);
                neighbor \(peer) as \(peerASN);
                passive on;
                hold time \(holdTime);
                \(password.map { "password \"\($0)\";" } ?? "")
                ipv4 { import all; export none; };
                ipv6 { import all; export none; };
            }

            """.write(toFile: scratch.file("bird.conf"), atomically: true, encoding: .utf8)
    }

    deinit { end() }

    func start() throws {
        let bird = ExternalTool.path(of: "bird") ?? "bird"
        process = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", bird, "-f", "-c", scratch.file("bird.conf"), "-s", scratch.file("bird.ctl"),
             "-P", scratch.file("bird.pid")],
            namespace: namespace, log: scratch.file("stdout.log"))
        try ServerProcess.waitForFile(scratch.file("bird.ctl"), from: process, name: "bird", log: scratch.file("stdout.log"))
    }

    /// `birdc show …` (or any command) against this BIRD.
    func birdc(_ words: String...) throws -> String {
        try command(["ip", "netns", "exec", namespace, ExternalTool.path(of: "birdc") ?? "birdc", "-s", scratch.file("bird.ctl")] + words)
    }

    /// The routes BIRD has for `prefix` (`birdc show route PREFIX all`), empty when none.
    func route(_ prefix: String) throws -> String {
        // birdc exits 1 with "Network not found" when it has none.
        let run = try ExternalTool.run(
            ["/usr/bin/env", "ip", "netns", "exec", namespace, ExternalTool.path(of: "birdc") ?? "birdc", "-s", scratch.file("bird.ctl"),
             "show", "route", prefix, "all"], limit: .seconds(10))
        return run.stdout.contains(prefix) ? run.stdout : ""
    }

    var log: String { (try? String(contentsOfFile: scratch.file("bird.log"), encoding: .utf8)) ?? "" }

    func end() {
        ServerProcess.end(process)
        process = nil
        scratch.remove()
    }
}
