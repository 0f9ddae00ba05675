import FloatIPTestSupport
import Foundation
import Glibc

/// FRR's bfdd in a test's namespace with one single-hop peer: 3 × 100 ms. Runs as user frr, with its
/// config, PID file, control and vty sockets in a scratch directory (owned by frr) and a pathspace
/// of its own; ended by PID.
final class FRRBFDPeer {
    static let bfdd = "/usr/lib/frr/bfdd"
    let namespace: String
    let scratch: ScratchDirectory
    let pathspace: String
    let peer: String
    private(set) var process: Process?

    static func available(for purpose: String) -> Bool {
        ExternalTool.find("vtysh", for: purpose, package: "frr") != nil && FileManager.default.isExecutableFile(atPath: bfdd)
    }

    init(namespace: String, address: String, peer: String) throws {
        self.namespace = namespace
        self.peer = peer
        pathspace = "floatip-bfd-\(namespace)"
        scratch = try ScratchDirectory("floatip-frr-bfd")
        guard let user = getpwnam("frr") else { throw CommandError(arguments: ["getpwnam frr"], status: 1, stderr: "no user frr") }
        chown(scratch.path, user.pointee.pw_uid, user.pointee.pw_gid)
        try """
            bfd
             peer \(peer) local-address \(address)
              receive-interval 100
              transmit-interval 100
              detect-multiplier 3
             !
            !

            """.write(toFile: scratch.file("bfdd.conf"), atomically: true, encoding: .utf8)
    }

    deinit { end() }

    func start() throws {
        process = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", Self.bfdd, "-N", pathspace, "-f", scratch.file("bfdd.conf"), "-i", scratch.file("bfdd.pid"),
             "--vty_socket", scratch.path, "-P", "0", "--bfdctl", scratch.file("bfdd.sock"), "--log", "stdout"],
            namespace: namespace, log: scratch.file("bfdd.log"))
        try ServerProcess.waitForFile(scratch.file("bfdd.vty"), from: process, name: "bfdd", log: scratch.file("bfdd.log"))
    }

    /// bfdd's status of the peer: `up`, `down`, `init`…
    func status() -> String {
        let run = try? ExternalTool.run(
            [ExternalTool.path(of: "vtysh") ?? "vtysh", "--vty_socket", scratch.path, "-d", "bfdd", "-c", "show bfd peer \(peer)"],
            limit: .seconds(5))
        let text = run?.stdout ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Status:") }) else { return "?" }
        return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?"
    }

    var show: String {
        (try? ExternalTool.run([ExternalTool.path(of: "vtysh") ?? "vtysh", "--vty_socket", scratch.path, "-d", "bfdd", "-c",
                                "show bfd peer \(peer)"], limit: .seconds(5)).stdout) ?? ""
    }

    func kill() {
        if let process, process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
    }

    func end() {
        let pid = process?.processIdentifier
        ServerProcess.end(process)
        process = nil
        FRRBGPRouter.removeRunFiles(daemon: "bfdd", pid: pid, pathspace: pathspace)
        scratch.remove()
    }
}
