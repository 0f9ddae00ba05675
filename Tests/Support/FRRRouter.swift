import Foundation
import Glibc

/// A real FRR router in a test's namespace: zebra (its best routes into the namespace's forwarding
/// table), bgpd (one passive session per peer) and, with `bfd`, bfdd (3 × 100 ms with each peer,
/// tied to its BGP session). Config, PID files and sockets in a scratch directory owned by user
/// frr, a pathspace (`-N`) of its own; each daemon ended by PID, its run files removed.
public final class FRRRouter {
    static let daemons = "/usr/lib/frr"
    public let namespace: String
    let scratch: ScratchDirectory
    let pathspace: String
    let bfd: Bool
    private var processes: [(name: String, process: Process)] = []

    /// zebra, bgpd, bfdd and vtysh, or false after saying why the test is skipped (a failure in CI).
    public static func available(for purpose: String) -> Bool {
        ExternalTool.find("vtysh", for: purpose, package: "frr") != nil
            && ["zebra", "bgpd", "bfdd"].allSatisfy { FileManager.default.isExecutableFile(atPath: "\(daemons)/\($0)") }
    }

    /// FRR as AS `asn` at `address`, one session per `peers` entry (address, AS); hold time `holdTime`.
    public init(namespace: String, address: String, asn: UInt32, peers: [(address: String, asn: UInt32)], holdTime: Int = 3, bfd: Bool = false) throws {
        self.namespace = namespace
        self.bfd = bfd
        pathspace = "floatip-\(namespace)"
        scratch = try ScratchDirectory("floatip-frr")
        guard let user = getpwnam("frr") else { throw CommandError(arguments: ["getpwnam frr"], status: 1, stderr: "no user frr") }
        chown(scratch.path, user.pointee.pw_uid, user.pointee.pw_gid)
        let neighbors = peers.map { peer in
            " neighbor \(peer.address) remote-as \(peer.asn)\n neighbor \(peer.address) passive\n"
                + " neighbor \(peer.address) timers \(max(1, holdTime / 3)) \(holdTime)\n"
                + (bfd ? " neighbor \(peer.address) bfd profile fast\n" : "")
        }.joined()
        let files = [
            "zebra.conf": "hostname \(namespace)\n",
            "bgpd.conf": "hostname \(namespace)\nrouter bgp \(asn)\n bgp router-id \(address)\n no bgp ebgp-requires-policy\n\(neighbors)!\n",
            "bfdd.conf": "hostname \(namespace)\nbfd\n profile fast\n  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n !\n!\n",
        ]
        for (name, text) in files {
            try text.write(toFile: scratch.file(name), atomically: true, encoding: .utf8)
            chown(scratch.file(name), user.pointee.pw_uid, user.pointee.pw_gid)
        }
    }

    deinit { end() }

    /// zebra first (the others register with it), then bgpd and bfdd; each waited for (its vty socket).
    public func start() throws {
        try run("zebra", ["-z", scratch.file("zserv.api")])
        try run("bgpd", ["-z", scratch.file("zserv.api"), "-S"])
        if bfd { try run("bfdd", ["-z", scratch.file("zserv.api"), "--bfdctl", scratch.file("bfdd.sock")]) }
    }

    private func run(_ daemon: String, _ extra: [String]) throws {
        let process = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", "\(Self.daemons)/\(daemon)", "-N", pathspace, "-f", scratch.file("\(daemon).conf"),
             "-i", scratch.file("\(daemon).pid"), "--vty_socket", scratch.path, "-P", "0", "--log", "stdout"] + extra,
            namespace: namespace, log: scratch.file("\(daemon).log"))
        processes.append((daemon, process))
        try ServerProcess.waitForFile(scratch.file("\(daemon).vty"), from: process, name: daemon, log: scratch.file("\(daemon).log"))
    }

    /// `vtysh -c COMMAND` against these daemons.
    public func vtysh(_ command: String) throws -> String {
        let run = try ExternalTool.run([ExternalTool.path(of: "vtysh") ?? "vtysh", "--vty_socket", scratch.path, "-c", command], limit: .seconds(10))
        return run.stdout + run.stderr
    }

    /// The namespace's forwarding table entry for `prefix` (what zebra installed), empty when none.
    public func kernelRoute(_ prefix: String) -> String {
        (try? command(["ip", "-n", namespace, "route", "show", prefix])) ?? ""
    }

    public func end() {
        for (daemon, process) in processes.reversed() {
            let pid = process.processIdentifier
            ServerProcess.end(process)
            for path in ["/var/run/frr/\(pathspace)", "/var/tmp/frr/\(pathspace)", "/var/tmp/frr/\(daemon).\(pid)"] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        processes = []
        scratch.remove()
    }
}
