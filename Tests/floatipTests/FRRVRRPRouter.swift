import FloatIPTestSupport
import Foundation
import Glibc

/// FRR's vrrpd, with the zebra it needs, as one router of a VRRPv3 IPv4 virtual router in a test's
/// namespace (docs/vrrp.md, "With FRR's vrrpd"). vrrpd does not add or remove the virtual address:
/// it needs a macvlan on the parent interface with the virtual MAC (00:00:5e:00:01:VRID, mode
/// bridge) that holds the address for good, sends its advertisements through it, and has zebra set
/// the macvlan's protodown off while master and on otherwise. So this router holds the address
/// while the macvlan has it and is not protodown.
///
/// Both daemons run in the foreground as user frr (ended by PID in `end()`), with their config, PID
/// files, zebra's socket and vty sockets in a scratch directory and a pathspace (`-N`) of the
/// test's own: the host's FRR, if any, is untouched.
final class FRRVRRPRouter {
    /// Debian's frr package: the daemons in /usr/lib/frr, vtysh on PATH.
    struct Programs {
        var zebra = "/usr/lib/frr/zebra"
        var vrrpd = "/usr/lib/frr/vrrpd"
        var vtysh: String
    }

    /// FRR's programs, or nil after saying why the test is skipped (a failure in CI).
    static func programs(for purpose: String) -> Programs? {
        ExternalTool.find("vtysh", for: purpose, package: "frr").map { Programs(vtysh: $0) }
    }

    let programs: Programs
    let namespace: String
    let parent: String
    let vrid: Int
    let address: String
    /// The macvlan vrrpd uses: `vrrp4-PARENT_IFINDEX-VRID`, FRR's documented naming (vrrpd finds it
    /// by its MAC address and parent, not by name).
    let macvlan: String
    /// The pathspace (`-N`): FRR's run directory /var/run/frr/NAME.
    let pathspace: String
    let scratch: ScratchDirectory
    private(set) var zebra: Process?
    private(set) var vrrpd: Process?
    private var started: [(daemon: String, pid: Int32)] = []

    /// Makes the macvlan (with `address`/32) on `parent` in `namespace` and writes the configs:
    /// VRRP version 3 with `priority` and an advertisement interval of `intervalMilliseconds`.
    init(
        _ programs: Programs, namespace: String, parent: String = "eth0", vrid: Int, priority: Int,
        intervalMilliseconds: Int, address: String
    ) throws {
        self.programs = programs
        self.namespace = namespace
        self.parent = parent
        self.vrid = vrid
        self.address = address
        pathspace = "floatip-\(namespace)"
        guard let user = getpwnam("frr") else { throw CommandError(arguments: ["getpwnam frr"], status: 1, stderr: "no user frr") }
        let link = try command(["ip", "-n", namespace, "-o", "link", "show", "dev", parent])
        macvlan = "vrrp4-\(link.prefix { $0 != ":" })-\(vrid)"
        // Last: from here on a failure ends in deinit, which removes the directory.
        scratch = try ScratchDirectory("floatip-frr")
        // The daemons drop root for user frr: it writes its PID files and sockets here.
        chown(scratch.path, user.pointee.pw_uid, user.pointee.pw_gid)
        try command(["ip", "-n", namespace, "link", "add", macvlan, "link", parent, "type", "macvlan", "mode", "bridge"])
        // Protodown until vrrpd, master, says otherwise: nobody holds the address before vrrpd runs.
        try command(["ip", "-n", namespace, "link", "set", "dev", macvlan, "address", String(format: "00:00:5e:00:01:%02x", vrid),
                     "protodown", "on"])
        try command(["ip", "-n", namespace, "addr", "add", "\(address)/32", "dev", macvlan])
        try command(["ip", "-n", namespace, "link", "set", "dev", macvlan, "up"])
        try "hostname \(namespace)\n".write(toFile: scratch.file("zebra.conf"), atomically: true, encoding: .utf8)
        // Packet debugging logs each advertisement vrrpd refuses, with why ("Datagram invalid: …").
        try """
            hostname \(namespace)
            debug vrrp packets
            debug vrrp protocol
            interface \(parent)
             vrrp \(vrid) version 3
             vrrp \(vrid) priority \(priority)
             vrrp \(vrid) advertisement-interval \(intervalMilliseconds)
             vrrp \(vrid) ip \(address)
            !

            """.write(toFile: scratch.file("vrrpd.conf"), atomically: true, encoding: .utf8)
    }

    deinit { end() }

    /// Starts zebra, waits for its socket, then vrrpd, and waits for vrrpd's vty socket.
    func start() throws {
        zebra = try daemon(programs.zebra, "zebra")
        try waitFor(scratch.file("zserv.api"), from: zebra, "zebra")
        vrrpd = try daemon(programs.vrrpd, "vrrpd")
        try waitFor(scratch.file("vrrpd.vty"), from: vrrpd, "vrrpd")
    }

    private func daemon(_ program: String, _ name: String) throws -> Process {
        // The test runner's threads block SIGTERM (among others), and a child inherits that mask;
        // FRR keeps the mask it was started with, so `env --default-signal` unblocks (and un-ignores)
        // every signal first, or a SIGTERM would never reach vrrpd.
        let process = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", program, "-N", pathspace, "-f", scratch.file("\(name).conf"),
             "-i", scratch.file("\(name).pid"), "-z", scratch.file("zserv.api"), "--vty_socket", scratch.path, "-P", "0",
             "--log", "stdout"],
            namespace: namespace, log: scratch.file("\(name).log"))
        started.append((name, process.processIdentifier))
        return process
    }

    private func waitFor(_ socket: String, from process: Process?, _ name: String) throws {
        try ServerProcess.waitForFile(socket, from: process, name: name, log: scratch.file("\(name).log"))
    }


    /// Whether this router holds the address now: on the macvlan, which is up (not protodown).
    func holds() throws -> Bool {
        let text = try command(["ip", "-n", namespace, "-d", "addr", "show", "dev", macvlan])
        return text.contains("\(address)/32") && text.contains("LOWER_UP") && !text.contains("protodown on")
    }

    /// Runs vtysh against this vrrpd: `configure terminal`, `interface PARENT`, then `lines`.
    func configure(_ lines: String...) throws {
        let commands = ["configure terminal", "interface \(parent)"] + lines
        let run = try ExternalTool.run(
            [programs.vtysh, "--vty_socket", scratch.path, "-d", "vrrpd"] + commands.flatMap { ["-c", $0] },
            limit: .seconds(10))
        guard run.status == 0, run.stdout.isEmpty else {
            throw CommandError(arguments: commands, status: run.status, stderr: run.stderr + run.stdout)
        }
    }

    /// Waits (at most 5 s) for vrrpd to exit; how it ended, or nil while it runs.
    func vrrpdExit() -> Int32? {
        guard let vrrpd else { return nil }
        let deadline = Date().addingTimeInterval(5)
        while vrrpd.isRunning, Date() < deadline { usleep(20_000) }
        return vrrpd.isRunning ? nil : vrrpd.terminationStatus
    }

    /// vrrpd's log (its debug lines).
    var log: String { (try? String(contentsOfFile: scratch.file("vrrpd.log"), encoding: .utf8)) ?? "" }

    /// The advertisements vrrpd refused, as it logged them ("Datagram invalid: Bad VRRP checksum …").
    var refused: [String] { log.split(separator: "\n").filter { $0.contains("atagram invalid") }.map(String.init) }

    /// Ends vrrpd (SIGTERM: a master sends priority 0), then zebra, by PID; removes what they left
    /// (the pathspace's run directory, their crash-log directories) and the scratch directory.
    func end() {
        ServerProcess.end(vrrpd)
        ServerProcess.end(zebra)
        try? FileManager.default.removeItem(atPath: "/var/run/frr/\(pathspace)")
        for (daemon, pid) in started {
            try? FileManager.default.removeItem(atPath: "/var/tmp/frr/\(pathspace)/\(daemon).\(pid)")
            try? FileManager.default.removeItem(atPath: "/var/tmp/frr/\(daemon).\(pid)")
        }
        try? FileManager.default.removeItem(atPath: "/var/tmp/frr/\(pathspace)")
        started = []
        scratch.remove()
    }
}
