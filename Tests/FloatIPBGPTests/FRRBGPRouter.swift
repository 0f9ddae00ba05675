import FloatIPTestSupport
import Foundation
import Glibc

/// FRR's bgpd in a test's namespace, as the router a floatip node peers with: passive, without
/// zebra (`-Z`: nothing reaches a kernel table), as root (`-S`), with its config, PID file and vty
/// socket in a scratch directory and a pathspace (`-N`) of the test's own. Ended by PID.
final class FRRBGPRouter {
    static let bgpd = "/usr/lib/frr/bgpd"
    let namespace: String
    let scratch: ScratchDirectory
    let pathspace: String
    private(set) var process: Process?

    /// bgpd and vtysh, or false after saying why the test is skipped (a failure in CI).
    static func available(for purpose: String) -> Bool {
        ExternalTool.find("vtysh", for: purpose, package: "frr") != nil && FileManager.default.isExecutableFile(atPath: bgpd)
    }

    init(namespace: String, address: String, asn: UInt32, peer: String, peerASN: UInt32, holdTime: Int = 9) throws {
        self.namespace = namespace
        pathspace = "floatip-\(namespace)"
        scratch = try ScratchDirectory("floatip-frr-bgp")
        try """
            hostname \(namespace)
            debug bgp neighbor-events
            router bgp \(asn)
             bgp router-id \(address)
             no bgp ebgp-requires-policy
             neighbor \(peer) remote-as \(peerASN)
             neighbor \(peer) passive
             neighbor \(peer) timers \(max(1, holdTime / 3)) \(holdTime)
             address-family ipv6 unicast
              neighbor \(peer) activate
             exit-address-family
            !

            """.write(toFile: scratch.file("bgpd.conf"), atomically: true, encoding: .utf8)
    }

    deinit { end() }

    func start() throws {
        process = try ServerProcess.start(
            ["/usr/bin/env", "--default-signal", Self.bgpd, "-N", pathspace, "-f", scratch.file("bgpd.conf"), "-i", scratch.file("bgpd.pid"),
             "-Z", "-S", "--vty_socket", scratch.path, "-P", "0", "--log", "stdout"],
            namespace: namespace, log: scratch.file("bgpd.log"))
        try ServerProcess.waitForFile(scratch.file("bgpd.vty"), from: process, name: "bgpd", log: scratch.file("bgpd.log"))
    }

    /// `vtysh -c COMMAND` against this bgpd.
    func vtysh(_ command: String) throws -> String {
        let run = try ExternalTool.run(
            [ExternalTool.path(of: "vtysh") ?? "vtysh", "--vty_socket", scratch.path, "-d", "bgpd", "-c", command], limit: .seconds(10))
        return run.stdout + run.stderr
    }

    /// What bgpd has for `prefix` (`show bgp ipv4|ipv6 unicast PREFIX`), empty when none.
    func route(_ prefix: String) throws -> String {
        let text = try vtysh("show bgp \(prefix.contains(":") ? "ipv6" : "ipv4") unicast \(prefix)")
        return text.contains("Network not in table") || !text.contains("Paths:") ? "" : text
    }

    var log: String { (try? String(contentsOfFile: scratch.file("bgpd.log"), encoding: .utf8)) ?? "" }

    func end() {
        let pid = process?.processIdentifier
        ServerProcess.end(process)
        process = nil
        FRRBGPRouter.removeRunFiles(daemon: "bgpd", pid: pid, pathspace: pathspace)
        scratch.remove()
    }

    /// What an FRR daemon leaves outside the scratch directory: its pathspace's run directory and its
    /// crash-log directories (`/var/tmp/frr/DAEMON.PID`, with or without the pathspace).
    static func removeRunFiles(daemon: String, pid: Int32?, pathspace: String) {
        var paths = ["/var/run/frr/\(pathspace)", "/var/tmp/frr/\(pathspace)"]
        if let pid { paths.append("/var/tmp/frr/\(daemon).\(pid)") }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}
