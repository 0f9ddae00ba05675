import Foundation
import Glibc

/// A real BIRD 2 in a test's namespace, as the router floatip nodes peer with: passive (it waits
/// for the nodes to connect), importing whatever they announce and exporting nothing to them; with
/// `kernel`, it installs the best routes in its namespace's forwarding table, so a client's
/// packets follow the announcement. Runs in the foreground (ended by PID), with its config,
/// control socket and log in a scratch directory.
public final class BIRDRouter {
    public let namespace: String
    let scratch: ScratchDirectory
    private(set) var process: Process?

    /// `bird` and `birdc`, or nil after saying why the test is skipped (a failure in CI).
    public static func available(for purpose: String) -> Bool {
        ExternalTool.find("bird", for: purpose, package: "bird2") != nil && ExternalTool.path(of: "birdc") != nil
    }

    /// BIRD as AS `asn` at `address`, peering with `peer` (AS `peerASN`).
    /// `password`: TCP-MD5 (RFC 2385) on the session.
    public convenience init(
        namespace: String, address: String, asn: UInt32, peer: String, peerASN: UInt32, holdTime: Int = 9, password: String? = nil
    ) throws {
        try self.init(namespace: namespace, address: address, asn: asn, peers: [(peer, peerASN)], holdTime: holdTime, password: password)
    }

    /// BIRD as AS `asn` at `address`, with one session per `peers` entry (address, AS), named
    /// `floatip` when there is one, else `node1`, `node2`, …; `bfd`:
    /// a BFD session (3 × 100 ms) with each, tied to its BGP session.
    public init(
        namespace: String, address: String, asn: UInt32, peers: [(address: String, asn: UInt32)], holdTime: Int = 9,
        password: String? = nil, kernel: Bool = false, bfd: Bool = false
    ) throws {
        self.namespace = namespace
        scratch = try ScratchDirectory("floatip-bird")
        let sessions = peers.enumerated().map { number, peer in
            // BIRD takes iBGP as multihop by default; the nodes are on the router's link.
            let direct = peer.asn == asn ? "direct;" : ""
            return """
            protocol bgp \(peers.count == 1 ? "floatip" : "node\(number + 1)") {
                local \(address) as \(asn);
                neighbor \(peer.address) as \(peer.asn);
                passive on;
                hold time \(holdTime);
                \(password.map { "password \"\($0)\";" } ?? "")
                \(bfd ? "bfd on;" : "")
                \(direct)
                ipv4 { import all; export none; };
                ipv6 { import all; export none; };
            }
            """
        }.joined(separator: "\n")
        // Routes into the namespace's forwarding table, checked each second as a router would.
        let kernelProtocols = kernel ? "protocol kernel { ipv4 { export all; }; scan time 1; }\n"
            + "protocol kernel { ipv6 { export all; }; scan time 1; }\n" : ""
        // BFD at 3 × 100 ms with every BGP neighbour that says `bfd on`.
        let bfdProtocol = bfd ? "protocol bfd { interface \"*\" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }\n" : ""
        try """
            router id \(address);
            log "\(scratch.file("bird.log"))" all;
            protocol device { scan time 1; }
            \(kernelProtocols)\(bfdProtocol)\(sessions)

            """.write(toFile: scratch.file("bird.conf"), atomically: true, encoding: .utf8)
    }

    deinit { end() }

    public func start() throws {
        let bird = ExternalTool.path(of: "bird") ?? "bird"
        process = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", bird, "-f", "-c", scratch.file("bird.conf"), "-s", scratch.file("bird.ctl"),
             "-P", scratch.file("bird.pid")],
            namespace: namespace, log: scratch.file("stdout.log"))
        try ServerProcess.waitForFile(scratch.file("bird.ctl"), from: process, name: "bird", log: scratch.file("stdout.log"))
    }

    /// `birdc show …` (or any command) against this BIRD.
    public func birdc(_ words: String...) throws -> String {
        try command(["ip", "netns", "exec", namespace, ExternalTool.path(of: "birdc") ?? "birdc", "-s", scratch.file("bird.ctl")] + words)
    }

    /// The routes BIRD has for `prefix` (`birdc show route PREFIX all`), empty when none.
    public func route(_ prefix: String) throws -> String {
        // birdc exits 1 with "Network not found" when it has none.
        let run = try ExternalTool.run(
            ["/usr/bin/env", "ip", "netns", "exec", namespace, ExternalTool.path(of: "birdc") ?? "birdc", "-s", scratch.file("bird.ctl"),
             "show", "route", prefix, "all"], limit: .seconds(10))
        return run.stdout.contains(prefix) ? run.stdout : ""
    }

    public var log: String { (try? String(contentsOfFile: scratch.file("bird.log"), encoding: .utf8)) ?? "" }

    public func end() {
        ServerProcess.end(process)
        process = nil
        scratch.remove()
    }
}
